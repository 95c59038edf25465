// Auto-resume end to end (docs/PROTOCOL.md §5.5): the server is killed
// (SIGKILL) three times at random instants in the middle of replies, and
// started again on the same data. Every reply goes on by itself from what was
// saved and ends complete with the exact text the model wrote, watched the
// whole time by the page (which reconnects by itself, no reload) and by a
// plain SSE client that reconnects with Last-Event-ID and records every id.
// The real SDK streams from the fake Anthropic server; the fake answers a
// continuation (the saved text as prefill) with the rest of the same text.
import { expect, test, type Page } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeAnthropic, type FakeAnthropic } from "../lib/testing/fake-anthropic";
import { freePort, lastAssistant, send, shownText, startApp, type AppServer } from "./support";

test.describe.configure({ mode: "serial" });

// SSE-looking lines, unicode and spaces at every kind of cut: the text must survive each crash exactly.
const FULL = Array.from({ length: 90 }, (_, i) => `${i}: data: ünïcødé 👩‍💻 中文 e\u0301 — id: ${i}\n`).join("");

/** The text of the final assistant turn when the app sent a continuation (prefill), else "". */
function prefillOf(body: { messages: { role: string; content: string | { type: string; text?: string }[] }[] }): string {
  const last = body.messages.at(-1);
  if (last?.role !== "assistant") return "";
  return typeof last.content === "string" ? last.content : last.content.map((b) => b.text ?? "").join("");
}

type Seen = { id: number; event: string; data: { message?: { content: string; status: string } } };

/** Follows a reply's stream over HTTP like any client: reconnects with Last-Event-ID until `done`, across restarts. */
function follow(url: () => string, cookie: string, messageId: string) {
  const seen: Seen[] = [];
  const connects: number[] = []; // the last id held at each (re)connect
  const finished = (async () => {
    let last: number | null = null;
    for (;;) {
      connects.push(last ?? 0);
      try {
        const res = await fetch(`${url()}/api/messages/${messageId}/stream`, {
          headers: { cookie, accept: "text/event-stream", ...(last !== null ? { "last-event-id": String(last) } : {}) },
        });
        if (res.ok && res.body) {
          const decoder = new TextDecoder();
          const reader = res.body.getReader();
          let buf = "";
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            buf += decoder.decode(value, { stream: true });
            let end: number;
            while ((end = buf.indexOf("\n\n")) >= 0) {
              const frame = buf.slice(0, end);
              buf = buf.slice(end + 2);
              const field = (name: string) =>
                frame
                  .split("\n")
                  .find((l) => l.startsWith(`${name}: `))
                  ?.slice(name.length + 2);
              const id = field("id");
              if (id === undefined) continue; // a keep-alive comment
              const e: Seen = { id: Number(id), event: field("event")!, data: JSON.parse(field("data")!) };
              seen.push(e);
              last = e.id;
              if (e.event === "done") return;
            }
          }
        }
      } catch {
        /* the server is gone: try again */
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return { seen, connects, finished };
}

let fake: FakeAnthropic;
let app: AppServer;
let port: number;
const env = {
  DATA_DIR: mkdtempSync(join(tmpdir(), "tether-auto-resume-")),
  LLM_PROVIDER: "anthropic",
  ANTHROPIC_API_KEY: "test-key",
  ANTHROPIC_MODEL: "claude-haiku-4-5", // takes prefill: the fake can tell where the saved text ends
  CONVERSATION_TITLES: "off",
  CHECKPOINT_INTERVAL_MS: "200",
};

test.beforeAll(async () => {
  fake = await startFakeAnthropic({ port: 0 });
  // Every request (first run or continuation) gets the rest of FULL after what the app kept.
  fake.setScenario({ text: FULL });
  port = await freePort();
  app = await startApp(port, { ...env, ANTHROPIC_BASE_URL: fake.url });
});
test.afterAll(async () => {
  await app?.kill("SIGKILL");
  await fake?.close();
});

/**
 * Kills the server (no drain, no final save) once the model's stream for the
 * reply is under way (the fake has its request number `request`) and the page
 * shows at least `chars` characters, then starts it again.
 */
async function crashAt(page: Page, chars: number, request: number) {
  await fake.waitForRequests(request);
  const reply = lastAssistant(page);
  await expect.poll(async () => (await shownText(reply)).length, { timeout: 60_000 }).toBeGreaterThanOrEqual(chars);
  await app.kill("SIGKILL");
  app = await startApp(port, { ...env, ANTHROPIC_BASE_URL: fake.url });
}

test("killed three times at random instants: every reply resumes by itself and ends complete, byte-exact, ids never reused", async ({ page, context }) => {
  test.setTimeout(240_000);
  fake.reset();
  fake.enqueue(...Array.from({ length: 8 }, () => (body: Parameters<typeof prefillOf>[0]) => ({ text: FULL.slice(prefillOf(body).length), chunk: 3, delayMs: 8 })));
  // Random instants, printed so a failure can be replayed.
  const cut = () => 200 + Math.floor(Math.random() * (FULL.length * 0.6));
  const cuts = [cut(), cut(), cut()].map((c, i, all) => (i === 2 ? Math.max(c, all[1]) : c));
  console.log(`kill points (characters shown): ${cuts.join(", ")}`);

  await page.goto(`${app.url}/?new=1`);
  const cookie = (await context.cookies(app.url)).map((c) => `${c.name}=${c.value}`).join("; ");

  // Two replies: the first killed once, the second killed twice (the second time while it was resuming).
  for (const [round, kills] of [
    [1, [cuts[0]]],
    [2, [cuts[1], cuts[2]]],
  ] as const) {
    await send(page, `Round ${round}: write the numbered lines.`);
    await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
    const reply = lastAssistant(page);
    await expect(reply).toHaveAttribute("data-message-id", /[0-9a-f-]{36}/);
    const id = (await reply.getAttribute("data-message-id"))!;
    const watcher = follow(() => app.url, cookie, id);

    // The second kill of a reply strikes its resumed run, once that run's request has reached the model.
    let sent = fake.requests.length;
    for (const chars of kills) {
      await crashAt(page, chars, sent);
      sent = fake.requests.length + 1;
    }

    // No reload: the page and the client reconnect and watch it finish.
    await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
    await watcher.finished;
    const saved = await (await fetch(`${app.url}/api/messages/${id}`, { headers: { cookie } })).json();
    expect(saved.status).toBe("complete");
    expect(saved.content).toBe(FULL);
    expect(await shownText(reply)).toBe(FULL);
    expect(saved.metadata.stopReason).toBe("end_turn");

    // Ids only grow across every crash and reconnect. After each restart the
    // client held ids the saved row may not include, so it starts again from
    // a snapshot: the saved text and what the resumed run added, a prefix of FULL.
    const ids = watcher.seen.map((e) => e.id);
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    const snapshots = watcher.seen.filter((e) => e.event === "snapshot");
    expect(snapshots.length).toBeGreaterThanOrEqual(kills.length);
    for (const s of snapshots) expect(FULL.startsWith(s.data.message!.content)).toBe(true);
    expect(watcher.connects.length).toBeGreaterThan(kills.length);
    const done = watcher.seen.at(-1)!;
    expect(done).toMatchObject({ event: "done", data: { message: { status: "complete", content: FULL } } });
  }
  // Two first runs and one resumed run per kill reached the model. Each resumed
  // run sent the saved text back as the assistant turn (none when the kill came
  // before the first save with text), and the fake wrote the rest.
  expect(fake.requests).toHaveLength(2 + 3);
  for (const r of fake.requests) expect(FULL.startsWith(prefillOf(r.body))).toBe(true);
  expect(fake.requests.filter((r) => prefillOf(r.body) !== "").length).toBeGreaterThan(0);
});

test("a deploy (SIGTERM) stops a reply mid-way: the next start resumes it, the open page shows it resuming without a reload, and Stop there is final", async ({
  page,
}) => {
  test.setTimeout(180_000);
  fake.reset();
  const rest = (body: Parameters<typeof prefillOf>[0]) => ({ text: FULL.slice(prefillOf(body).length), chunk: 3, delayMs: 8 });
  // The first run; the resumed run stalls before its first word (so `resuming` stays on screen); Continue finishes.
  fake.enqueue(rest, { text: "never sent", end: "stall", failAfter: 0 }, rest);
  await app.kill("SIGKILL");
  // As `npm start` runs it: Tether drains on SIGTERM (with no grace here) instead of Next.js waiting for every reply.
  const draining = { ...env, ANTHROPIC_BASE_URL: fake.url, SHUTDOWN_GRACE_MS: "0", NEXT_MANUAL_SIG_HANDLE: "true" };
  app = await startApp(port, draining);

  await page.goto(`${app.url}/?new=1`);
  await send(page, "Deploy day: write the numbered lines.");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const reply = lastAssistant(page);
  await expect.poll(async () => (await shownText(reply)).length, { timeout: 60_000 }).toBeGreaterThanOrEqual(200);
  const id = (await reply.getAttribute("data-message-id"))!;
  await app.kill("SIGTERM"); // drains: no grace, the reply is stopped and saved as stopped by a shutdown
  app = await startApp(port, draining);

  await expect(reply).toHaveAttribute("data-status", "resuming", { timeout: 60_000 });
  await expect(reply.getByTestId("resuming")).toHaveText("Resuming after a restart…");
  await page.screenshot({ path: test.info().outputPath("resuming.png") });
  const cookie = (await page.context().cookies(app.url)).map((c) => `${c.name}=${c.value}`).join("; ");
  const resuming = await (await fetch(`${app.url}/api/messages/${id}`, { headers: { cookie } })).json();
  expect(resuming.status).toBe("resuming");
  expect(FULL.startsWith(resuming.content)).toBe(true);
  expect(resuming.content.length).toBeGreaterThan(0);

  // The user's Stop is final: the reply waits for Continue, which completes it exactly.
  await page.getByTestId("stop-button").click();
  await expect(reply).toHaveAttribute("data-status", "interrupted");
  const stopped = await (await fetch(`${app.url}/api/messages/${id}`, { headers: { cookie } })).json();
  expect(stopped.metadata.stopReason).toBe("stopped");
  await reply.getByTestId("continue-button").click();
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 60_000 });
  expect(await shownText(reply)).toBe(FULL);
  expect((await (await fetch(`${app.url}/api/messages/${id}`, { headers: { cookie } })).json()).content).toBe(FULL);
});

test("auto-resume can be turned off in Settings, and the choice is kept", async ({ page }) => {
  await page.goto(`${app.url}/settings`);
  const toggle = page.getByTestId("auto-resume-toggle");
  await expect(toggle).toBeChecked();
  await expect(page.getByRole("switch", { name: "Resume replies after a restart" })).toBeVisible();
  await toggle.uncheck();
  await expect(page.getByTestId("auto-resume-status")).toHaveText("Saved. Replies cut short by a restart will wait for Continue.");
  await page.screenshot({ path: test.info().outputPath("settings-replies.png") });
  await page.reload();
  await expect(page.getByTestId("auto-resume-toggle")).not.toBeChecked();
  await expect(page.getByTestId("streaming-toggle")).toBeChecked(); // the other switch is its own
  const cookie = (await page.context().cookies(app.url)).map((c) => `${c.name}=${c.value}`).join("; ");
  expect(await (await fetch(`${app.url}/api/settings`, { headers: { cookie } })).json()).toMatchObject({ autoResume: false, streaming: true });
});
