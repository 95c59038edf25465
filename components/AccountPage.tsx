// The frame of the sign-in and sign-up pages (server-rendered). A signed-in
// account has nothing to do here and goes back to its chats.
import { redirect } from "next/navigation";
import { AccountForm } from "./AccountForm";
import { pageUser } from "@/lib/http/page-user";
import type { AuthMode } from "@/lib/auth/client";

export async function AccountPage({ mode }: { mode: AuthMode }) {
  const user = await pageUser();
  if (user && !user.guest) redirect("/");
  const guestChats = user ? await user.db.conversation.count({ where: { userId: user.userId } }) : 0;
  const signUp = mode === "sign-up";
  return (
    <div className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-sm px-4 py-12 sm:py-20">
        <h1 className="text-2xl font-semibold tracking-tight">{signUp ? "Create your account" : "Sign in to Tether"}</h1>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
          {signUp ? "Keep your chats and settings, and open them in any browser." : "Welcome back. Your chats and settings are waiting."}
        </p>
        <AccountForm mode={mode} guestChats={guestChats} />
      </div>
    </div>
  );
}
