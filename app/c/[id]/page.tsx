import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { Conversation } from "@/components/Conversation";
import { pageUser } from "@/lib/http/page-user";
import { getConversationWithMessages, toMessage } from "@/lib/chat/conversations";
import { getSettings } from "@/lib/chat/settings";
import { getApp } from "@/lib/runtime";
import { AppError } from "@/lib/errors";
import { isGenerating } from "@/lib/reply/status";
import { queueOf } from "@/lib/reply/queue";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Shared by generateMetadata and the page (one database read per request).
const load = cache(async (id: string) => {
  const user = await pageUser();
  if (!user || !UUID_RE.test(id)) notFound();
  try {
    const data = await getConversationWithMessages(user.db, user.userId, id.toLowerCase());
    return { ...data, user };
  } catch (e) {
    if (e instanceof AppError && e.code === "not_found") notFound();
    throw e;
  }
});

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  try {
    const { conversation } = await load((await params).id);
    return { title: `${conversation.title} · Tether` };
  } catch {
    // The page itself raises the 404 (so its HTML is rendered on the server).
    return { title: "Conversation not found · Tether" };
  }
}

// Every message exactly as saved, rendered on the server: a reload mid-reply
// shows the partial text before any script runs, and the client resumes the
// stream right after the last event that text includes.
export default async function ConversationPage({ params }: Params) {
  const { conversation, messages, user } = await load((await params).id);
  const [{ streaming, defaultModel }, queue] = await Promise.all([getSettings(user.db, user.userId), queueOf(user.db, conversation.id)]);
  let resumeAfter: number | undefined;
  const last = messages.at(-1);
  if (last?.role === "assistant" && isGenerating(last.status)) {
    // Re-read the generating row: its text and `seq` (the id of the last
    // event that text includes) must come from the same checkpoint.
    const row = await user.db.message.findUnique({ where: { id: last.id } });
    if (row) {
      messages[messages.length - 1] = toMessage(row);
      resumeAfter = row.seq;
    }
  }
  return (
    <Conversation
      key={conversation.id}
      conversationId={conversation.id}
      messages={messages}
      streaming={streaming}
      resumeAfter={resumeAfter}
      setup={{ model: conversation.model, systemPrompt: conversation.systemPrompt }}
      defaultModel={defaultModel}
      fileLimits={getApp().config.files.limits}
      queue={queue}
      apiKey={conversation.apiKey}
    />
  );
}
