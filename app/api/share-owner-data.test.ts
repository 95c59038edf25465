// What tools found in the owner's other conversations (lib/tools,
// `ownerDataOnly`: search_conversations) stays the owner's (docs/PROTOCOL.md
// §3.7), black-box through the real routes: a viewer of a shared conversation
// reads HIDDEN_TOOL_RESULT instead, in GET /api/share/:token and in its reply
// streams (the snapshot, each part_start, done), while the owner reads the
// result and other tools' results (calculate) stay visible to viewers.
// Replies are held mid-way by a tool that waits for the test (`hold`).
import { afterAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, type SseFrame } from "@/lib/testing/route-client";
import { newConversation, newGuest, post } from "@/lib/testing/api-steps";
import { builtinTools, ToolRegistry } from "@/lib/tools";
import { HIDDEN_TOOL_RESULT } from "@/lib/share/view";
import type { Message, Part } from "@/lib/chat/types";
import * as share from "@/app/api/conversations/[id]/share/route";
import * as message from "@/app/api/messages/[id]/route";
import { holdTool, newGate } from "@/lib/testing/hold-tool";
import { view, viewStream } from "@/lib/testing/share-steps";
import { followSse } from "@/lib/testing/sse-follow";

let gate = newGate();
/** The held reply of the test before (ended before the next one starts, whatever became of its test). */
let previous: Promise<unknown> = Promise.resolve();
const hold = holdTool(() => gate);
const h = useRouteHarness("share_owner_data", { CHECKPOINT_INTERVAL_MS: "20" }, { parts: { tools: new ToolRegistry([hold, ...builtinTools()]) } });
afterAll(async () => {
  gate.open();
  await previous;
});

const follow = followSse;

const isResult = (id: string) => (f: SseFrame) => f.event === "part_start" && f.data.part.type === "tool_result" && f.data.part.toolUseId === id;
/** Every tool_result in the frames: in part_start, snapshot and done. */
const resultsIn = (frames: SseFrame[]): Extract<Part, { type: "tool_result" }>[] =>
  frames
    .flatMap((f) => (f.event === "part_start" ? [f.data.part] : f.event === "snapshot" || f.event === "done" ? f.data.message.parts : []))
    .filter((p: Part) => p.type === "tool_result");

/**
 * The owner's "Private diary" holds `word` and, beside it, `secret`; a shared
 * conversation's reply searches for `word` (a viewer sees the query in the
 * call), calls calculate, then waits in `hold` after both results. `secret`,
 * the diary's id, title and message id reach the reply only in the search's
 * result; no text of the shared conversation holds them.
 */
async function searchingReply() {
  gate.open();
  await previous;
  h.fake.reset();
  gate = newGate();
  const owner = await newGuest();
  const tag = randomUUID().slice(0, 8);
  const [word, secret, diaryTitle] = [`quokka${tag}`, `marzipan${tag}`, `Private diary ${tag}`];
  const diary = await newConversation(owner, diaryTitle);
  h.fake.enqueue({ text: "Noted." });
  const entry = (await (await post(owner, diary.id, { content: `Dear diary: ${word} ${secret}`, stream: false })).json()).userMessage.id as string;
  const c = await newConversation(owner, "Shared search");
  const token = (await (await call(share.POST, "POST", "/", { cookie: owner, params: { id: c.id } })).json()).share.token as string;
  const search = { type: "tool_use" as const, id: `toolu_s${tag}`, name: "search_conversations", input: { query: word } };
  const calc = { type: "tool_use" as const, id: `toolu_c${tag}`, name: "calculate", input: { expression: "6 * 7" } };
  const holdId = `toolu_h${tag}`;
  h.fake.enqueue(
    { blocks: [{ type: "text", text: "Looking. " }, search, calc, { type: "tool_use", id: holdId, name: "hold", input: {} }] },
    { text: "Done looking.", chunk: [1, 3] },
  );
  const ownerStream = follow(await post(owner, c.id, { content: "what did I write down?" }));
  previous = ownerStream.ended.catch(() => {});
  const replyId = ((await ownerStream.next((f) => f.event === "snapshot")).data.message as Message).id;
  const found = (await ownerStream.next(isResult(search.id))).data.part.content as string;
  const calculated = (await ownerStream.next(isResult(calc.id))).data.part.content as string;
  await gate.reached;
  const callId = ownerStream.frames.find((f) => f.event === "part_start" && f.data.part.id === search.id)!.id!;
  const resultId = ownerStream.frames.find(isResult(search.id))!.id!;
  return { owner, token, ownerStream, replyId, search, calc, holdId, found, calculated, callId, resultId, secrets: [diary.id, diaryTitle, secret, entry] };
}

describe("what tools found in the owner's other conversations", () => {
  it("is hidden from viewers in GET and in reply streams (snapshot, from the start, resumed before the call); the owner reads it; calculate's result is shown", async () => {
    const { owner, token, ownerStream, replyId, search, calc, holdId, found, calculated, callId, secrets } = await searchingReply();
    expect(JSON.parse(calculated).result).toBe("42");
    for (const mine of secrets) expect(found).toContain(mine); // what there is to hide
    const streams = {
      fromSnapshot: follow(await viewStream(token, replyId)),
      fromStart: follow(await viewStream(token, replyId, {}, "?after=0")),
      resumedBeforeTheCall: follow(await viewStream(token, replyId, { "last-event-id": String(callId - 1) })),
    };
    // Held after both results: the snapshot already holds them.
    const snapshot = await streams.fromSnapshot.next((f) => f.event === "snapshot");
    expect(resultsIn([snapshot]).map((p) => p.content)).toEqual([HIDDEN_TOOL_RESULT, calculated]);
    gate.open();
    await ownerStream.ended;
    for (const [name, viewer] of Object.entries(streams)) {
      const frames = await viewer.ended;
      expect(frames.at(-1)!.event, name).toBe("done");
      const results = resultsIn(frames);
      for (const r of results.filter((p) => p.toolUseId === search.id)) expect(r.content, name).toBe(HIDDEN_TOOL_RESULT);
      expect(results.filter((p) => p.toolUseId === calc.id).length, name).toBeGreaterThan(0);
      for (const r of results.filter((p) => p.toolUseId === calc.id)) expect(r.content, name).toBe(calculated);
      for (const mine of secrets) expect(viewer.raw(), name).not.toContain(mine);
    }
    for (const viewer of [streams.fromStart, streams.resumedBeforeTheCall]) {
      expect(viewer.frames.filter(isResult(search.id)).map((f) => f.data.part.content)).toEqual([HIDDEN_TOOL_RESULT]);
      // Its progress says only that it works ("Found N matching messages" would count the owner's other messages).
      const progress = viewer.frames.filter((f) => f.event === "tool_progress" && f.data.toolUseId === search.id);
      expect(progress.length).toBeGreaterThan(0);
      for (const f of progress) expect(f.data).toEqual({ toolUseId: search.id, message: "Working…" });
    }
    expect(ownerStream.frames.some((f) => f.event === "tool_progress" && String(f.data.message).startsWith("Found "))).toBe(true);

    const raw = await (await view(token)).text();
    for (const mine of secrets) expect(raw).not.toContain(mine);
    const shownParts = (JSON.parse(raw).messages.at(-1) as Message).parts;
    expect(shownParts.flatMap((p) => (p.type === "tool_result" ? [[p.toolUseId, p.content]] : []))).toEqual([
      [search.id, HIDDEN_TOOL_RESULT],
      [calc.id, calculated],
      [holdId, "held no more"],
    ]);
    // The owner's own copy keeps what was found.
    const mine = (await (await call(message.GET, "GET", "/", { cookie: owner, params: { id: replyId } })).json()) as Message;
    expect(mine.parts.find((p) => p.type === "tool_result" && p.toolUseId === search.id)).toMatchObject({ content: found });
  });

  // A stream resumed after the call's part_start never sees the call: its result is hidden all the same.
  it("is hidden from a viewer resumed (Last-Event-ID) after the call, before its result", async () => {
    const { token, ownerStream, replyId, search, callId, resultId, secrets } = await searchingReply();
    const afterCall = follow(await viewStream(token, replyId, { "last-event-id": String(callId) }));
    const beforeResult = follow(await viewStream(token, replyId, { "last-event-id": String(resultId - 1) }));
    gate.open();
    await ownerStream.ended;
    for (const viewer of [afterCall, beforeResult]) {
      await viewer.ended;
      expect(viewer.frames.filter(isResult(search.id)).map((f) => f.data.part.content)).toEqual([HIDDEN_TOOL_RESULT]);
      for (const mine of secrets) expect(viewer.raw()).not.toContain(mine);
    }
  });
});
