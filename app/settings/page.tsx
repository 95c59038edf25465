import Link from "next/link";
import { SettingsForm } from "@/components/SettingsForm";
import { ModelSettings } from "@/components/ModelSettings";
import { AccountSessions } from "@/components/AccountSessions";
import { accountView, pageUser } from "@/lib/http/page-user";
import { otherSessionCount } from "@/lib/auth";
import { getSettings } from "@/lib/chat/settings";
import { UsageSection } from "@/components/UsageSection";
import { getApp } from "@/lib/runtime";
import { dailyUsage } from "@/lib/usage/report";
import { cookies } from "next/headers";
import { parseThemeChoice, THEME_COOKIE } from "@/lib/client/theme";
import { ThemeSettings } from "@/components/ThemeSettings";
import { DataSettings } from "@/components/DataSettings";
import { PasswordSettings } from "@/components/PasswordSettings";
import { DeleteAccount } from "@/components/DeleteAccount";
import { NotificationSettings } from "@/components/NotificationSettings";
import { dataSummary } from "@/lib/chat/data-summary";
import { ApiKeySettings } from "@/components/ApiKeySettings";
import { listApiKeys, MAX_API_KEYS_PER_USER } from "@/lib/gateway/keys";

export const dynamic = "force-dynamic";
export const metadata = { title: "Settings · Tether" };

export default async function SettingsPage() {
  const user = await pageUser();
  const { streaming, defaultModel, instructions, autoResume } = user
    ? await getSettings(user.db, user.userId)
    : { streaming: true, defaultModel: null, instructions: "", autoResume: true };
  const account = accountView(user);
  const otherSessions = user && !user.guest ? await otherSessionCount(user.db, user) : 0;
  const usage = user ? await dailyUsage(user.db, user.userId, 30, getApp().config.prices.currency) : undefined;
  const summary = user ? await dataSummary(user.db, user.userId) : null;
  const apiKeys = account && !account.guest && user ? await listApiKeys(user.db, user.userId) : [];
  const theme = parseThemeChoice((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <div className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-2xl px-4 py-8 sm:px-6">
        <Link href="/" className="inline-flex items-center gap-1 rounded-md text-sm text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100">
          <span aria-hidden>←</span> Back to chat
        </Link>
        <h1 className="mt-4 text-2xl font-semibold tracking-tight">Settings</h1>
        <ThemeSettings initialTheme={theme} />
        <SettingsForm initialStreaming={streaming} initialAutoResume={autoResume} />
        <NotificationSettings />
        {user && <ModelSettings initialDefaultModel={defaultModel} initialInstructions={instructions} />}
        {usage && <UsageSection days={usage.days} total={usage.total} />}
        {summary && <DataSettings summary={summary} />}
        {/* Keyed by the count: a password change (which signs out the others) resets the card. */}
        {account && <AccountSessions key={otherSessions} account={account} otherSessions={otherSessions} />}
        {account && <ApiKeySettings guest={account.guest} initialKeys={apiKeys} maxKeys={MAX_API_KEYS_PER_USER} />}
        {account && !account.guest && <PasswordSettings email={account.email} />}
        {account && !account.guest && summary && <DeleteAccount email={account.email} summary={summary} />}
      </div>
    </div>
  );
}
