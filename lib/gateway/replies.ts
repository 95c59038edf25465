// A gateway client's reply, looked up by the API's message id (docs/GATEWAY.md):
// only the key owner's replies exist for it (404 otherwise, as for any id).
import type { Db } from "../platform/db";
import { AppError } from "../errors";
import { requireMessage, toMessage } from "../chat/conversations";
import type { Message } from "../chat/types";
import { readGatewayRequest } from "./request";
import { replyIdOf } from "./wire";

export async function requireGatewayReply(db: Db, userId: string, apiId: string): Promise<{ message: Message; model: string }> {
  const id = replyIdOf(apiId);
  if (!id) throw new AppError("not_found", "message not found");
  const row = await requireMessage(db, userId, id);
  if (row.role !== "assistant") throw new AppError("not_found", "message not found");
  const message = toMessage(row);
  const model = (await readGatewayRequest(db, id))?.model ?? message.metadata.model ?? "unknown";
  return { message, model };
}
