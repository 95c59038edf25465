import type { Metadata, Viewport } from "next";
import { AppShell } from "@/components/AppShell";
import { cookies, headers } from "next/headers";
import { accountView, pageUser } from "@/lib/http/page-user";
import { guestLimitNotice } from "@/lib/auth/session";
import { listConversations } from "@/lib/chat/conversations";
import type { Conversation } from "@/lib/chat/types";
import { parseThemeChoice, themeAttribute, THEME_COOKIE } from "@/lib/client/theme";
import { PageNotice } from "@/components/PageNotice";
import { tabStart } from "@/lib/events/generating";
import { getApp } from "@/lib/runtime";
import { SHARED_PAGE_HEADER } from "@/lib/http/share-access";
import "./globals.css";

export const metadata: Metadata = {
  title: "Tether",
  description: "Chat with Claude. Replies survive stops, reloads and dropped connections.",
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#09090b" },
  ],
};

// The sidebar lives here so it persists across navigations; pages call
// router.refresh() after changing conversations to re-render it.
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // The theme chosen in Settings, rendered with the page so its first paint has it (lib/client/theme.ts).
  const theme = themeAttribute(parseThemeChoice((await cookies()).get(THEME_COOKIE)?.value));
  // A shared link's page stands alone: its viewers need no session and see nothing of anyone's account.
  if ((await headers()).get(SHARED_PAGE_HEADER))
    return (
      <html lang="en" data-theme={theme}>
        <body>{children}</body>
      </html>
    );
  const user = await pageUser();
  // The tab's event stream resumes from this render (docs/PROTOCOL.md §7). Its
  // id is read before the list, so the list includes every event up to it.
  const events = user ? await tabStart(getApp().events, user.db, user.userId) : null;
  const conversations: Conversation[] = user ? await listConversations(user.db, user.userId) : [];
  // No session because the proxy refused a new guest (per-address limit): say so.
  const guestLimit = user ? null : guestLimitNotice(await headers());
  return (
    <html lang="en" data-theme={theme}>
      <body>
        <AppShell conversations={conversations} account={accountView(user)} guestLimit={guestLimit} events={events}>
          {children}
        </AppShell>
        <PageNotice />
      </body>
    </html>
  );
}
