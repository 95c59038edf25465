// A gateway request (POST /v1/messages, docs/GATEWAY.md): the Anthropic
// Messages API's body, checked only as far as Tether needs to store and route
// it. Every other field goes upstream as the client wrote it, so a parameter
// the API adds later works without a change here; the API itself judges it.
import { z } from "zod";
import type { Db } from "../platform/db";
import type { RawRequest } from "../llm/types";
import { AppError } from "../errors";

const Block = z.looseObject({ type: z.string().min(1) });
const Content = z.union([z.string(), z.array(Block)]);

export const GatewayBody = z.looseObject({
  model: z.string().min(1).max(256),
  max_tokens: z.number().int().min(1).max(1_000_000),
  messages: z
    .array(z.looseObject({ role: z.enum(["user", "assistant"]), content: Content }))
    .min(1)
    .max(100_000),
  system: z.union([z.string(), z.array(Block)]).optional(),
  tools: z.array(z.looseObject({ name: z.string().min(1) })).optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.looseObject({}).optional(),
  stream: z.boolean().optional(),
});
export type GatewayBody = z.infer<typeof GatewayBody>;

/** What a gateway reply is generated from: its model and the client's body, as sent. */
export type GatewayRequest = { model: string; raw: RawRequest };

/**
 * The client's body, checked: the object as parsed from its JSON, in its own
 * key order (zod's output would put the known keys first). 400 when it is not
 * a Messages API body.
 */
export function checkedBody(data: unknown): GatewayBody {
  const parsed = GatewayBody.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("invalid_input", `${issue?.path.length ? `${issue.path.join(".")}: ` : ""}${issue?.message ?? "invalid request"}`);
  }
  return data as GatewayBody;
}

/** The body as stored: the client's JSON text, re-encoded from its parse (same keys, same order). */
export const storedBody = (body: GatewayBody) => JSON.stringify(body);

type AnyBlock = { type: string; text?: unknown; content?: unknown; is_error?: unknown };

/** Longest text shown for one tool result (the whole result went to Claude). */
const SHOWN_RESULT_CHARS = 2_000;

const textIn = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? (content as AnyBlock[]).map((b) => (b?.type === "text" && typeof b.text === "string" ? b.text : `[${b?.type ?? "block"}]`)).join("\n")
      : "";

/**
 * The user message a gateway conversation shows: the request's last user
 * message, its text, tool results as "Tool result: …" (shortened), and any
 * other block named by its type.
 */
export function shownUserText(body: GatewayBody): string {
  const last = body.messages.findLast((m) => m.role === "user");
  if (!last) return "";
  if (typeof last.content === "string") return last.content;
  return (last.content as AnyBlock[])
    .map((b) => {
      if (b.type === "text" && typeof b.text === "string") return b.text;
      if (b.type !== "tool_result") return `[${b.type}]`;
      const text = [...textIn(b.content)];
      const shown = text.length > SHOWN_RESULT_CHARS ? `${text.slice(0, SHOWN_RESULT_CHARS).join("")}…` : text.join("");
      return `${b.is_error === true ? "Tool error" : "Tool result"}: ${shown}`;
    })
    .filter((t) => t.trim() !== "")
    .join("\n\n");
}

/** The request a gateway reply was admitted with (null: not a gateway reply, or its row is gone). */
export async function readGatewayRequest(db: Db, messageId: string): Promise<GatewayRequest | null> {
  const row = await db.gatewayRequest.findUnique({ where: { messageId } });
  if (!row) return null;
  const body = JSON.parse(row.body) as GatewayBody;
  return { model: body.model, raw: { body } };
}

/** Marks a reply's metadata as the gateway's (read by the generation before anything else). */
export const GATEWAY_REPLY = { gateway: true } as const;
export const isGatewayReply = (metadata: unknown) => (metadata as { gateway?: unknown } | null)?.gateway === true;
