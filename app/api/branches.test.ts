// Versions (regenerate), branches (edit and resend), select, search and
// export through the real routes, the real SDK and the fake Anthropic server.
import { describe, expect, it } from "vitest";
import { call, cookieFrom, readSse, rebuildText } from "@/lib/testing/route-client";
import { useRouteHarness } from "@/lib/testing/route-harness";
import * as guest from "@/app/api/auth/guest/route";
import * as conversations from "@/app/api/conversations/route";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";
import * as exporter from "@/app/api/conversations/[id]/export/route";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as cont from "@/app/api/messages/[id]/continue/route";
import * as regenerate from "@/app/api/messages/[id]/regenerate/route";
import * as edit from "@/app/api/messages/[id]/edit/route";
import * as select from "@/app/api/messages/[id]/select/route";
import * as search from "@/app/api/search/route";
import type { Message, SearchResult } from "@/lib/chat/types";

const h = useRouteHarness("branches");

let n = 0;
const unique = (label: string) => `${label}${Date.now().toString(36)}${++n}`;

async function user() {
  return cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
}

async function newConversation(cookie: string) {
  return (await (await call(conversations.POST, "POST", "/", { cookie, body: {} })).json()).id as string;
}

/** Posts a message and waits for the whole reply (JSON). */
async function exchange(cookie: string, cid: string, content: string, reply: string) {
  h.fake.enqueue({ text: reply, chunk: 3 });
  const res = await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content, stream: false } });
  expect(res.status).toBe(200);
  return (await res.json()) as { userMessage: Message; assistantMessage: Message };
}

async function shown(cookie: string, cid: string): Promise<Message[]> {
  const res = await call(conversation.GET, "GET", "/", { cookie, params: { id: cid } });
  expect(res.status).toBe(200);
  return (await res.json()).messages;
}

/** The user turns the model was sent in the last upstream request. */
const lastPrompt = () =>
  h.fake.requests[h.fake.requests.length - 1].body.messages.map((m: { role: string; content: unknown }) => ({
    role: m.role,
    text: JSON.stringify(m.content),
  }));

const TRICKY = "Version two: 世界 👋🏽 e\u0301 — data: {\"x\":1}\n\nid: 7\nevent: done\n\n```py\nprint('hi')\n```";

describe("regenerate", () => {
  it("streams a new version in place of the last reply; both versions persist, exact, and can be paged", async () => {
    const cookie = await user();
    const cid = await newConversation(cookie);
    const first = await exchange(cookie, cid, "Tell me about tides", "Version one.");

    h.fake.enqueue({ text: TRICKY, chunk: 2, delayMs: 1 });
    const res = await call(regenerate.POST, "POST", "/", { cookie, params: { id: first.assistantMessage.id }, body: {} });
    expect(res.status).toBe(200);
    const frames = await readSse(res);
    expect(frames[0].event).toBe("snapshot");
    const reply = frames[0].data.message as Message;
    expect(reply.id).not.toBe(first.assistantMessage.id);
    expect(reply.parentId).toBe(first.userMessage.id);
    expect(reply.versions).toEqual({ index: 1, count: 2, ids: [first.assistantMessage.id, reply.id] });
    expect(frames.slice(1).map((f) => f.id)).toEqual(frames.slice(1).map((_, i) => i + 1));
    expect(rebuildText(frames)).toBe(TRICKY);
    expect(frames.at(-1)!.data.message.status).toBe("complete");
    // The model saw the conversation up to the user's message, not the old version.
    expect(lastPrompt()).toEqual([{ role: "user", text: expect.stringContaining("Tell me about tides") }]);
    expect(JSON.stringify(lastPrompt())).not.toContain("Version one");

    let path = await shown(cookie, cid);
    expect(path.map((m) => m.id)).toEqual([first.userMessage.id, reply.id]);
    expect(path[1].content).toBe(TRICKY);
    expect(path[1].versions).toMatchObject({ index: 1, count: 2 });

    // Page back to version 1: the old reply, exactly as it was.
    const back = await call(select.POST, "POST", "/", { cookie, params: { id: first.assistantMessage.id } });
    expect(back.status).toBe(200);
    path = (await back.json()).messages;
    expect(path.map((m) => m.id)).toEqual([first.userMessage.id, first.assistantMessage.id]);
    expect(path[1].content).toBe("Version one.");
    expect(path[1].versions).toMatchObject({ index: 0, count: 2 });
    expect((await shown(cookie, cid)).map((m) => m.id)).toEqual([first.userMessage.id, first.assistantMessage.id]);
  });

  it("Stop and Continue work on a regenerated reply, byte for byte", async () => {
    const cookie = await user();
    const cid = await newConversation(cookie);
    const first = await exchange(cookie, cid, "a story please", "Old story.");
    h.fake.enqueue({ text: TRICKY, chunk: 1, end: "stall", failAfter: 20 });
    const res = await call(regenerate.POST, "POST", "/", { cookie, params: { id: first.assistantMessage.id }, body: {} });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let seen = "";
    while (!seen.includes('"index":0,"text"')) seen += decoder.decode((await reader.read()).value);
    const id = /"message":\{"id":"([0-9a-f-]+)"/.exec(seen)![1];
    const stopped = await (await call(stop.POST, "POST", "/", { cookie, params: { id } })).json();
    await reader.cancel();
    expect(stopped.status).toBe("interrupted");
    expect(TRICKY.startsWith(stopped.content)).toBe(true);

    h.fake.enqueue({ text: TRICKY, chunk: 5 });
    const frames = await readSse(await call(cont.POST, "POST", "/", { cookie, params: { id }, body: {} }));
    expect(frames.at(-1)!.data.message.status).toBe("complete");
    expect(frames.at(-1)!.data.message.content).toBe(TRICKY);
    expect(rebuildText(frames)).toBe(TRICKY);
    const path = await shown(cookie, cid);
    expect(path[1]).toMatchObject({ id, content: TRICKY, versions: { index: 1, count: 2 } });
  });

  it("refuses what cannot be regenerated, with clear codes", async () => {
    const cookie = await user();
    const cid = await newConversation(cookie);
    const one = await exchange(cookie, cid, "one", "first answer");
    await exchange(cookie, cid, "two", "second answer");
    const notLast = await call(regenerate.POST, "POST", "/", { cookie, params: { id: one.assistantMessage.id }, body: {} });
    expect(notLast.status).toBe(409);
    expect((await notLast.json()).error.code).toBe("not_latest");
    const userMsg = await call(regenerate.POST, "POST", "/", { cookie, params: { id: one.userMessage.id }, body: {} });
    expect(userMsg.status).toBe(400);
    expect((await userMsg.json()).error.code).toBe("not_assistant");
    const bad = await call(regenerate.POST, "POST", "/", { cookie, params: { id: one.assistantMessage.id }, body: { stream: "yes" } });
    expect(bad.status).toBe(400);
  });

  it("is refused while a reply generates in the conversation (409), and so is switching versions", async () => {
    const cookie = await user();
    const cid = await newConversation(cookie);
    const first = await exchange(cookie, cid, "hold on", "ok");
    h.fake.enqueue({ text: "slow", chunk: 1, end: "stall", failAfter: 2 });
    const sent = h.fake.requests.length;
    const live = await call(regenerate.POST, "POST", "/", { cookie, params: { id: first.assistantMessage.id }, body: {} });
    const reader = live.body!.getReader();
    const head = new TextDecoder().decode((await reader.read()).value);
    // The stalling answer is taken before Stop (else the next test would get it).
    await h.fake.waitForRequests(sent + 1);
    const id = /"message":\{"id":"([0-9a-f-]+)"/.exec(head)![1];
    const again = await call(regenerate.POST, "POST", "/", { cookie, params: { id }, body: {} });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe("generation_in_progress");
    const sw = await call(select.POST, "POST", "/", { cookie, params: { id: first.assistantMessage.id } });
    expect(sw.status).toBe(409);
    await call(stop.POST, "POST", "/", { cookie, params: { id } });
    await reader.cancel();
  });
});

describe("edit and resend", () => {
  it("continues from the edited message and keeps what followed as the earlier branch", async () => {
    const cookie = await user();
    const cid = await newConversation(cookie);
    const a = await exchange(cookie, cid, "What is 2+2?", "4");
    const b = await exchange(cookie, cid, "And times 3?", "12");

    h.fake.enqueue({ text: "It is 6.", chunk: 2 });
    const res = await call(edit.POST, "POST", "/", { cookie, params: { id: a.userMessage.id }, body: { content: "What is 3+3? ✏️", stream: false } });
    expect(res.status).toBe(200);
    const edited = (await res.json()) as { userMessage: Message; assistantMessage: Message };
    expect(edited.userMessage).toMatchObject({ content: "What is 3+3? ✏️", parentId: null, versions: { index: 1, count: 2 } });
    expect(edited.assistantMessage).toMatchObject({ content: "It is 6.", status: "complete", parentId: edited.userMessage.id });
    // The model saw only the edited message.
    expect(lastPrompt()).toEqual([{ role: "user", text: expect.stringContaining("What is 3+3?") }]);

    let path = await shown(cookie, cid);
    expect(path.map((m) => m.content)).toEqual(["What is 3+3? ✏️", "It is 6."]);

    // The old branch, whole, through the user message's versions.
    path = (await (await call(select.POST, "POST", "/", { cookie, params: { id: a.userMessage.id } })).json()).messages;
    expect(path.map((m) => m.id)).toEqual([a.userMessage.id, a.assistantMessage.id, b.userMessage.id, b.assistantMessage.id]);
    expect(path[0].versions).toMatchObject({ index: 0, count: 2 });

    // Posting now continues the branch that is shown, with its history.
    await exchange(cookie, cid, "And minus 1?", "11");
    expect(
      lastPrompt()
        .map((t: { text: string }) => t.text)
        .join(" "),
    ).toContain("And times 3?");
    expect((await shown(cookie, cid)).map((m) => m.content)).toEqual(["What is 2+2?", "4", "And times 3?", "12", "And minus 1?", "11"]);
  });

  it("validates like posting a message, and refuses assistant messages and messages off the path", async () => {
    const cookie = await user();
    const cid = await newConversation(cookie);
    const a = await exchange(cookie, cid, "original", "reply");
    const to = (id: string, body: unknown) => call(edit.POST, "POST", "/", { cookie, params: { id }, body });
    expect((await to(a.userMessage.id, { content: "   " })).status).toBe(400);
    expect((await to(a.userMessage.id, { content: "x".repeat(32_001) })).status).toBe(413);
    expect((await to(a.userMessage.id, {})).status).toBe(400);
    const asst = await to(a.assistantMessage.id, { content: "hi" });
    expect(asst.status).toBe(400);
    expect((await asst.json()).error.code).toBe("not_user");
    h.fake.enqueue({ text: "new" });
    await to(a.userMessage.id, { content: "edited", stream: false });
    const off = await to(a.userMessage.id, { content: "again" }); // the old one is now off the path
    expect(off.status).toBe(409);
    expect((await off.json()).error.code).toBe("not_on_path");
    // Nothing was lost along the way.
    const all = await h.db.prisma.message.findMany({ where: { conversationId: cid } });
    expect(all.map((m) => m.content).sort()).toEqual(["", "edited", "new", "original", "reply"].filter((c) => c !== "").sort());
  });
});

describe("isolation of the new routes", () => {
  it("another user's ids are 404 everywhere, no session is 401, and search never crosses users", async () => {
    const alice = await user();
    const cid = await newConversation(alice);
    const word = unique("zebrafinch");
    const a = await exchange(alice, cid, `secret ${word}`, "noted");
    const bob = await user();
    const cases: [typeof regenerate.POST, string, unknown?][] = [
      [regenerate.POST, a.assistantMessage.id, {}],
      [edit.POST, a.userMessage.id, { content: "mine now" }],
      [select.POST, a.assistantMessage.id],
    ];
    for (const [handler, id, body] of cases) {
      const res = await call(handler, "POST", "/", { cookie: bob, params: { id }, body });
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("not_found");
      expect((await call(handler, "POST", "/", { params: { id }, body })).status).toBe(401);
    }
    expect((await call(exporter.GET, "GET", "/?format=json", { cookie: bob, params: { id: cid } })).status).toBe(404);
    expect((await call(exporter.GET, "GET", "/", { params: { id: cid } })).status).toBe(401);
    const found = await (await call(search.GET, "GET", `/?q=${word}`, { cookie: bob })).json();
    expect(found.results).toEqual([]);
    expect((await call(search.GET, "GET", `/?q=${word}`)).status).toBe(401);
    expect((await shown(alice, cid)).map((m) => m.content)).toEqual([`secret ${word}`, "noted"]);
  });
});

describe("search", () => {
  it("finds words in messages and titles, marks them in plain-text segments, and falls back to substrings", async () => {
    const cookie = await user();
    const cid = await newConversation(cookie);
    const word = unique("quokka");
    const a = await exchange(cookie, cid, `Where do ${word} animals live? <b>bold</b> \u0002fake\u0003`, "On Rottnest Island.");
    const get = async (q: string) => {
      const res = await call(search.GET, "GET", `/?q=${encodeURIComponent(q)}`, { cookie });
      expect(res.status).toBe(200);
      return (await res.json()).results as SearchResult[];
    };
    const hits = await get(word);
    expect(hits.map((h) => h.conversationId)).toEqual([cid]); // one result per conversation
    const msgHit = hits[0].snippets.find((h) => h.messageId === a.userMessage.id && h.role === "user")!;
    expect(msgHit.snippet.filter((s) => s.match).map((s) => s.text.toLowerCase())).toContain(word.toLowerCase());
    const joined = msgHit.snippet.map((s) => s.text).join("");
    // Plain text (PostgreSQL's parser leaves tags out of headlines); the marks
    // come only from the search, never from the text.
    expect(joined).toContain("bold");
    expect(joined).not.toMatch(/[\u0002\u0003]/);
    expect(msgHit.snippet.some((s) => s.match && s.text === "fake")).toBe(false);
    // The first message named the conversation: its title is marked too, whole, as is a short message.
    expect(hits[0].titleMatch?.filter((s) => s.match).map((s) => s.text.toLowerCase())).toContain(word.toLowerCase());
    for (const marked of [hits[0].titleMatch!, msgHit.snippet]) expect(marked.map((s) => s.text).join("")).toMatch(/^Where do /);

    const cjk = `${unique("")}潮汐的原因`;
    await exchange(cookie, cid, `问题：${cjk}是什么`, "月球");
    const cjkHits = await get(cjk);
    expect(cjkHits[0].snippets[0].snippet.find((s) => s.match)?.text).toBe(cjk);

    // Markdown is taken out of snippets; the text before the match is cut to a little.
    const md = unique("axolotl");
    const b = await exchange(cookie, cid, `${"Some words come first here. ".repeat(10)}Tell me about **${md}** things`, `## About\n- **${md}** live in lakes`);
    const mdHit = (await get(md))[0];
    expect(mdHit.snippets.map((h) => h.messageId).sort()).toEqual([b.userMessage.id, b.assistantMessage.id].sort());
    for (const { snippet } of mdHit.snippets) expect(snippet.map((s) => s.text).join("")).toMatch(new RegExp(`^(?!- )…?[^*#]{0,40}${md}[^*#]*$`, "i"));

    for (const q of ["", "   ", "x".repeat(201)]) {
      const res = await call(search.GET, "GET", `/?q=${encodeURIComponent(q)}`, { cookie });
      expect(res.status).toBe(400);
    }
    expect(await get('"unterminated -(& |')).toEqual(expect.any(Array));
  });
});

describe("export", () => {
  it("downloads the shown path as Markdown and, with parts, metadata and branches, as JSON", async () => {
    const cookie = await user();
    const cid = await newConversation(cookie);
    const a = await exchange(cookie, cid, "Show me code", "Here:\n\n```ts\nconst a = 1;\n```\n");
    h.fake.enqueue({ text: TRICKY });
    await readSse(await call(regenerate.POST, "POST", "/", { cookie, params: { id: a.assistantMessage.id }, body: {} }));

    const md = await call(exporter.GET, "GET", "/?format=markdown", { cookie, params: { id: cid } });
    expect(md.status).toBe(200);
    expect(md.headers.get("content-type")).toContain("text/markdown");
    expect(md.headers.get("content-disposition")).toMatch(/^attachment; filename="Show-me-code\.md"/);
    const text = await md.text();
    expect(text).toContain("# Show me code");
    expect(text).toContain(`## You\n\nShow me code\n\n## Claude\n\n${TRICKY}`);
    expect(text).not.toContain("const a = 1"); // the older version is not on the shown path

    const js = await call(exporter.GET, "GET", "/?format=json", { cookie, params: { id: cid } });
    const doc = await js.json();
    expect(doc.format).toBe("tether.conversation.v1");
    expect(doc.conversation.id).toBe(cid);
    expect(doc.messages.map((m: Message) => m.content)).toEqual(["Show me code", TRICKY]);
    expect(doc.messages[1].parts).toEqual([{ type: "text", text: TRICKY }]);
    expect(doc.messages[1].metadata.model).toBe("claude-haiku-4-5");
    expect(doc.branches.map((m: Message) => m.content)).toEqual(["Here:\n\n```ts\nconst a = 1;\n```\n"]);

    expect((await call(exporter.GET, "GET", "/?format=pdf", { cookie, params: { id: cid } })).status).toBe(400);
  });
});
