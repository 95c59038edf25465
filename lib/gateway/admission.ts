// Admitting a gateway request (docs/GATEWAY.md): the same rules as a post in
// the app (the user's message rate, the instance's capacity, at most N replies
// generating per user, refused while draining), in one transaction that finds
// the conversation the request goes on (thread.ts) or creates one marked with
// its key, adds its user message and a pending reply marked as the gateway's,
// and stores the request the generation will send upstream.
import { AppError } from "../errors";
import { toConversation, toMessage, WITH_API_KEY } from "../chat/conversations";
import type { Conversation, Message } from "../chat/types";
import { addExchange, titleFrom, withAdmission, type Admission, MAX_CONTENT_CHARS } from "../reply/admission";
import { countGenerating } from "../reply/lifecycle";
import { GATEWAY_REPLY, shownUserText, storedBody, type GatewayBody } from "./request";
import { historyHash, threadParent } from "./thread";

/** Who is calling: an active API key and its user (lib/gateway/keys.ts). */
export type GatewayCaller = { keyId: string; userId: string; name: string };

/** `continued`: the request went on from an earlier reply of its conversation (lib/gateway/thread.ts). */
export type GatewayStart = { conversation: Conversation; userMessage: Message; assistantMessage: Message; seq: number; continued: boolean };

export async function admitGatewayRequest(a: Admission, caller: GatewayCaller, body: GatewayBody): Promise<GatewayStart> {
  // Shown and searched only: the request itself is stored whole, however long.
  const content = [...shownUserText(body)].slice(0, MAX_CONTENT_CHARS).join("");
  const hash = historyHash(body.messages);
  const started = await withAdmission<GatewayStart>(
    a,
    caller.userId,
    async (tx, ownerId) => {
      a.shutdown.refuseWhileDraining();
      if ((await countGenerating(tx, { userId: ownerId })) >= a.maxActivePerUser) {
        throw new AppError("too_many_generations", `At most ${a.maxActivePerUser} replies can be generated at once.`, { "Retry-After": "5" });
      }
      // The thread it goes on, unless a reply generates there now (a client forking its history): then a conversation of its own.
      const parent = await threadParent(tx, ownerId, body.messages);
      const free = parent && (await countGenerating(tx, { conversationId: parent.conversationId })) === 0;
      const conv = free
        ? await tx.conversation.findUniqueOrThrow({ where: { id: parent.conversationId }, include: WITH_API_KEY })
        : await tx.conversation.create({
            data: { userId: ownerId, title: titleFrom(content) || "API request", model: body.model, apiKeyId: caller.keyId },
            include: WITH_API_KEY,
          });
      const parentId = free ? parent.replyId : null;
      const { userRow, assistantRow } = await addExchange(tx, { conversationId: conv.id, parentId, content, replyMetadata: GATEWAY_REPLY });
      await tx.gatewayRequest.create({ data: { messageId: assistantRow.id, body: storedBody(body), historyHash: hash } });
      const conversation = toConversation(conv);
      return { conversation, userMessage: toMessage(userRow), assistantMessage: toMessage(assistantRow), seq: 0, continued: !!free };
    },
    (r) => r.assistantMessage.id,
  );
  // Committed: the owner's open tabs show it, live (docs/PROTOCOL.md §4.8).
  const { conversation, userMessage, assistantMessage } = started;
  const conversationId = conversation.id;
  if (!started.continued) a.events?.publish(caller.userId, { event: "conversation.created", data: { conversation } });
  a.events?.publish(caller.userId, { event: "message.created", data: { conversationId, messageId: userMessage.id, role: "user" } });
  a.events?.publish(caller.userId, { event: "reply.started", data: { conversationId, messageId: assistantMessage.id, userMessageId: userMessage.id } });
  return started;
}
