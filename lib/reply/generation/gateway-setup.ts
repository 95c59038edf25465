// What a gateway reply is asked with (docs/GATEWAY.md): the model and request
// its client sent, stored at admission, instead of the conversation's history,
// model, system prompt and Tether's tools.
import type { Db } from "../../platform/db";
import { readGatewayRequest } from "../../gateway/request";
import type { ReplySetup } from "./reply-setup";

export async function gatewaySetup(db: Db, messageId: string): Promise<ReplySetup & Required<Pick<ReplySetup, "raw">>> {
  const request = await readGatewayRequest(db, messageId);
  // Admitted in one transaction with its reply: missing only if a bug lost it.
  if (!request) throw new Error(`gateway reply ${messageId} has no stored request`);
  return { model: request.model, raw: request.raw };
}
