// A gateway reply whose process died mid-stream (docs/GATEWAY.md,
// docs/PROTOCOL.md §5.5): the sweep resumes it from its saved text with the
// client's own stored request (its messages, system prompt and parameters, in
// its key order) plus the saved text, and a client that comes back reads the
// whole reply from a new message_start (`tether-resume: restart`), exact. The
// dead run is left as a killed process leaves it (streaming, quiet, ids
// reserved past what was saved), as lib/reply/auto-resume.test.ts does.
import { beforeAll, describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call } from "@/lib/testing/route-client";
import { readFrames, textOf } from "@/lib/testing/gateway-frames";
import { createApiKey } from "@/lib/gateway/keys";
import { admitGatewayRequest } from "@/lib/gateway/admission";
import { checkedBody } from "@/lib/gateway/request";
import { apiMessageId } from "@/lib/gateway/wire";
import * as stream from "@/app/v1/messages/[id]/stream/route";

const h = useRouteHarness("gateway_crash", { STALE_REPLY_MS: "60000", CONVERSATION_TITLES: "off" });
const KEPT = "Kept before the crash — données 中文 👩‍💻 data: not an event\n\n";
let caller: { keyId: string; userId: string; name: string };
let key: Record<string, string>;

beforeAll(async () => {
  const db = await h.app.db();
  const user = await db.user.create({ data: { email: "crash-gateway@example.com", name: "crash" } });
  const created = await createApiKey(db, user.id, "crash");
  caller = { keyId: created.key.id, userId: user.id, name: "crash" };
  key = { "x-api-key": created.secret };
});

describe("a gateway reply after a crash", () => {
  it("is resumed with its client's stored request and the saved text, and a returning client reads it whole", async () => {
    const body = checkedBody({
      system: "You are terse.",
      temperature: 0.25,
      model: "claude-haiku-4-5",
      messages: [{ role: "user", content: "tell me everything" }],
      max_tokens: 800,
      stream: true,
    });
    const started = await admitGatewayRequest(await h.app.admission(), caller, body);
    const id = started.assistantMessage.id;
    h.app.capacity.handedOver(id); // never handed to a generation: the "process" dies first
    const db = await h.app.db();
    const parts = JSON.stringify([{ type: "text", text: KEPT }]);
    await db.$executeRaw`UPDATE "Message" SET status = 'streaming', seq = 7, "seqCeiling" = 1007, content = ${KEPT},
      parts = ${parts}::jsonb, "updatedAt" = now() - interval '100 seconds' WHERE id = ${id}::uuid`;
    const continuation = "and the rest, exactly once ✓";
    h.fake.enqueue({ text: continuation, chunk: [1, 3, 2] });
    const asked = h.fake.requests.length;

    expect(await h.app.replyJobs.sweepStale()).toEqual({ interrupted: [], resumed: [id] });
    const apiId = apiMessageId(id);
    const res = await call(stream.GET, "GET", `/v1/messages/${apiId}/stream`, { headers: { ...key, "last-event-id": "5" }, params: { id: apiId } });
    const frames = await readFrames(res);
    // Prefill trims the saved text's trailing whitespace, as the API demands (docs/PROTOCOL.md §5.4).
    const final = KEPT.trimEnd() + continuation;
    expect(await (await h.app.db()).message.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "complete", content: final });

    // Upstream got the client's request as written, the saved text after its messages (prefill).
    expect(h.fake.requests.length).toBe(asked + 1);
    const sent = h.fake.requests.at(-1)!;
    expect(Object.keys(sent.body)).toEqual(["system", "temperature", "model", "messages", "max_tokens", "stream"]);
    expect(sent.body).toMatchObject({ system: "You are terse.", temperature: 0.25, max_tokens: 800 });
    expect(sent.body.messages).toEqual([
      { role: "user", content: "tell me everything" },
      { role: "assistant", content: [{ type: "text", text: KEPT.trimEnd() }] },
    ]);
    // The reader held frames of the dead run (id 5): it starts over, and reads the reply whole.
    expect(res.headers.get("tether-resume")).toBe("restart");
    expect(frames.filter((f) => f.event === "message_start")).toHaveLength(1);
    expect(frames.at(-1)?.event).toBe("message_stop");
    expect(textOf(frames)).toBe(final);
  });
});
