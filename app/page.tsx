import { redirect } from "next/navigation";
import { NewConversation } from "@/components/NewConversation";
import { pageUser } from "@/lib/http/page-user";
import { listConversations } from "@/lib/chat/conversations";
import { getSettings } from "@/lib/chat/settings";
import { getApp } from "@/lib/runtime";

export const dynamic = "force-dynamic";

// "/" opens the newest conversation; with none (or from "New chat", ?new=1)
// it is an empty chat whose first message creates the conversation.
export default async function HomePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await pageUser();
  const wantsNew = (await searchParams).new !== undefined;
  if (user && !wantsNew) {
    const [newest] = await listConversations(user.db, user.userId, { archived: false });
    if (newest) redirect(`/c/${newest.id}`);
  }
  const { streaming, defaultModel } = user ? await getSettings(user.db, user.userId) : { streaming: true, defaultModel: null };
  return <NewConversation streaming={streaming} defaultModel={defaultModel} fileLimits={getApp().config.files.limits} />;
}
