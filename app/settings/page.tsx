import Link from "next/link";
import { SettingsForm } from "@/components/SettingsForm";
import { ModelSettings } from "@/components/ModelSettings";
import { AccountSessions } from "@/components/AccountSessions";
import { accountView, pageUser } from "@/lib/http/page-user";
import { otherSessionCount } from "@/lib/auth";
import { getSettings } from "@/lib/chat/settings";

export const dynamic = "force-dynamic";
export const metadata = { title: "Settings · Tether" };

export default async function SettingsPage() {
  const user = await pageUser();
  const { streaming, defaultModel, instructions } = user ? await getSettings(user.db, user.userId) : { streaming: true, defaultModel: null, instructions: "" };
  const account = accountView(user);
  const otherSessions = user && !user.guest ? await otherSessionCount(user.db, user) : 0;
  return (
    <div className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-2xl px-4 py-8 sm:px-6">
        <Link href="/" className="inline-flex items-center gap-1 rounded-md text-sm text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100">
          <span aria-hidden>←</span> Back to chat
        </Link>
        <h1 className="mt-4 text-2xl font-semibold tracking-tight">Settings</h1>
        <SettingsForm initialStreaming={streaming} />
        {user && <ModelSettings initialDefaultModel={defaultModel} initialInstructions={instructions} />}
        {account && <AccountSessions account={account} otherSessions={otherSessions} />}
      </div>
    </div>
  );
}
