// What a reply is asked with besides its history: the model (the reply's own
// when it goes on, else the conversation's, the user's default, the
// deployment's) and the system prompt (the user's instructions, then the
// conversation's system prompt). docs/API.md, "Models and instructions".
import type { Db } from "../../platform/db";
import type { ModelCatalog } from "../../llm/models";
import type { RawRequest } from "../../llm/types";
import type { MessageMetadata, Part } from "../../chat/types";

/** `raw`: a gateway reply's own request (gateway-setup.ts). */
export type ReplySetup = { model: string; system?: string; raw?: RawRequest };

type ReplyRow = { conversationId: string; parts: unknown; metadata: unknown; conversation: { userId: string } };

/** What a reply's setup needs of its conversation. */
export type SetupConversation = { model: string | null; systemPrompt: string };
/** What a reply's setup needs of its owner's settings. */
export type SetupSettings = { defaultModel: string | null; instructions: string };

/**
 * `read`: the conversation's part as an admission that just committed the
 * reply read it; `settings`: the owner's, as it read them (null: none saved).
 * Each one given is one read fewer.
 */
export async function replySetup(
  db: Db,
  row: ReplyRow,
  deps: { defaultModel: string; models?: ModelCatalog; system?: string },
  read?: SetupConversation,
  readSettings?: SetupSettings | null,
): Promise<ReplySetup> {
  // Two plain reads at once: one nested read (a join Prisma builds) cost twice as long on PGlite.
  const [conversation, settings] = await Promise.all([
    read ?? db.conversation.findUniqueOrThrow({ where: { id: row.conversationId }, select: { model: true, systemPrompt: true } }),
    readSettings !== undefined
      ? readSettings
      : db.userSettings.findUnique({ where: { userId: row.conversation.userId }, select: { defaultModel: true, instructions: true } }),
  ]);
  // A reply that goes on (Continue, a resumed run) keeps the model that began it.
  const begun = ((row.parts ?? []) as Part[]).length > 0 ? ((row.metadata ?? {}) as MessageMetadata).model : undefined;
  const candidates = [begun, conversation.model, settings?.defaultModel];
  // Without a catalog (tests that build their own deps), the first choice as is.
  const model = deps.models ? await deps.models.choose(candidates) : (candidates.find(Boolean) ?? deps.defaultModel);
  const system = [deps.system, settings?.instructions, conversation.systemPrompt]
    .map((s) => s?.trim())
    .filter(Boolean)
    .join("\n\n");
  return { model, ...(system ? { system } : {}) };
}
