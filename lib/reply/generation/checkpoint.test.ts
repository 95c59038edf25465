// Checkpoint retries while the database refuses writes, on an in-memory
// PGlite whose message writes can be switched off (the real outage, a
// PostgreSQL server stopped mid-stream, is in db-outage.test.ts).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { randomUUID } from "node:crypto";
import { openDatabase, type Db, type DbHandle } from "../../platform/db";
import { createConversation } from "../../chat/conversations";
import { createReply } from "../admission";
import { ensureUser } from "../../auth/users";
import { Checkpointer, retryDelayMs, retryWrite, type CheckpointState } from "./checkpoint";
import { testAdmission } from "../../testing/app";

let h: DbHandle;
beforeAll(async () => {
  h = await openDatabase({ kind: "pglite-memory" });
});
afterAll(async () => {
  await h?.close();
});

/** The real client, except that message writes fail while `down` is set. */
function outage(prisma: Db) {
  const o = { down: true, attempts: 0, prisma: prisma };
  const message = new Proxy(prisma.message, {
    get(target, prop, receiver) {
      if (prop !== "updateMany") return Reflect.get(target, prop, receiver);
      return (...args: Parameters<Db["message"]["updateMany"]>) => {
        o.attempts++;
        return o.down ? Promise.reject(new Error("connection refused")) : target.updateMany(...args);
      };
    },
  });
  o.prisma = new Proxy(prisma, { get: (t, p, r) => (p === "message" ? message : Reflect.get(t, p, r)) });
  return o;
}

async function newReply() {
  const u = randomUUID();
  await ensureUser(h.prisma, u);
  const c = await createConversation(h.prisma, u);
  return (await createReply(testAdmission(h.prisma), u, c.id, "hi")).assistantMessage.id;
}

const state = (seq: number, text: string, status: CheckpointState["status"] = "streaming"): CheckpointState => ({
  seq,
  status,
  parts: [{ type: "text", text }],
  content: text,
});
const row = (id: string) => h.prisma.message.findUniqueOrThrow({ where: { id } });
const errors: unknown[] = [];
const collect = (e: unknown) => void errors.push(e);

/** Resolves once `check` holds, polling the row (the writes happen on timers). */
async function until(check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("Checkpointer during a database outage", () => {
  it("retries a failed streaming checkpoint with backoff, with the newest state, once the database is back", async () => {
    const id = await newReply();
    const db = outage(h.prisma);
    const cp = new Checkpointer(db.prisma, id, 0, 20, collect, 30_000);
    let current = state(1, "a");
    cp.offer(() => current);
    await until(async () => db.attempts >= 3);
    expect(cp.failures).toBeGreaterThanOrEqual(3);
    // While failing, offers do not add writes of their own: only the backed-off retries write.
    const before = db.attempts;
    for (let i = 2; i <= 50; i++) {
      current = state(i, "a".repeat(i));
      cp.offer(() => current);
    }
    expect(db.attempts).toBe(before);
    db.down = false;
    await until(async () => (await row(id)).seq === 50);
    expect((await row(id)).content).toBe("a".repeat(50));
    expect(cp.failures).toBe(0);
    cp.close();
  });

  it("retries a final save until the database is back, and only then is the row complete", async () => {
    const id = await newReply();
    const db = outage(h.prisma);
    const cp = new Checkpointer(db.prisma, id, 0, 20, collect, 20_000);
    cp.close(); // as the generation does before its final save
    const saved = cp.flush(state(7, "final ✓", "complete"));
    await until(async () => db.attempts >= 4);
    expect((await row(id)).status).toBe("pending"); // nothing landed while down
    db.down = false;
    expect(await saved).toBe(true);
    expect(await row(id)).toMatchObject({ status: "complete", seq: 7, content: "final ✓" });
  });

  it("gives a final save up after its while, reporting false, leaving the row as it was", async () => {
    const id = await newReply();
    const db = outage(h.prisma);
    const cp = new Checkpointer(db.prisma, id, 0, 20, collect, 600);
    const started = Date.now();
    expect(await cp.flush(state(3, "lost for now", "complete"))).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    expect(db.attempts).toBeGreaterThan(2);
    expect(db.attempts).toBeLessThan(8); // backed off, not hammering
    expect((await row(id)).status).toBe("pending");
  });

  it("makes a status flush one attempt, retried in the background, never replaced by an older state", async () => {
    const id = await newReply();
    const db = outage(h.prisma);
    const cp = new Checkpointer(db.prisma, id, 0, 20, collect, 30_000);
    expect(await cp.flush(state(5, "streaming now"))).toBe(false);
    expect(db.attempts).toBe(1);
    cp.offer(() => state(4, "older")); // a stale offer must not win
    db.down = false;
    await until(async () => (await row(id)).seq === 5);
    expect((await row(id)).content).toBe("streaming now");
    cp.close();
  });

  it("stops retrying in the background once closed", async () => {
    const id = await newReply();
    const db = outage(h.prisma);
    const cp = new Checkpointer(db.prisma, id, 0, 20, collect, 30_000);
    await cp.flush(state(2, "x"));
    cp.close();
    const after = db.attempts;
    await new Promise((r) => setTimeout(r, retryDelayMs(1) * 4));
    expect(db.attempts).toBe(after);
  });
});

/** A database whose message writes are only recorded (with the fake time they started at) and always land. */
function recordingDb() {
  const writes: { at: number; seq: number }[] = [];
  const db = {
    message: {
      updateMany: async (args: { data: { seq: number } }) => {
        writes.push({ at: Date.now(), seq: args.data.seq });
        return { count: 1 };
      },
    },
  } as unknown as Db;
  return { db, writes };
}

describe("Checkpointer throttling (fake time)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Offers a new state every 10 ms of fake time for 5 s; returns the writes. */
  async function stream(intervalMs: number) {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { db, writes } = recordingDb();
    const cp = new Checkpointer(db, randomUUID(), 0, intervalMs, collect, 30_000);
    const start = Date.now();
    // As the generation does: the offered function reads the current state.
    let current = state(0, "");
    for (let t = 0, seq = 1; t < 5_000; t += 10, seq++) {
      current = state(seq, "x".repeat(seq));
      cp.offer(() => current);
      await vi.advanceTimersByTimeAsync(10);
    }
    cp.close();
    return { writes, start, seq: current.seq, cp };
  }

  it("saves at most once per CHECKPOINT_INTERVAL_MS while streaming, and at least once per interval: never per token", async () => {
    const { writes, start, seq, cp } = await stream(500);
    // 500 states over 5 s at a 500 ms interval: one write per interval.
    expect(writes.length).toBeGreaterThanOrEqual(9);
    expect(writes.length).toBeLessThanOrEqual(11);
    expect(cp.writes).toBe(writes.length);
    // Never two writes closer than the interval, never a gap much longer than it.
    const gaps = writes.slice(1).map((w, i) => w.at - writes[i].at);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(500);
    for (const g of gaps) expect(g).toBeLessThanOrEqual(520);
    // The first state is saved at once (nothing saved yet); each write carries the newest state.
    expect(writes[0].at - start).toBeLessThan(500);
    for (const w of writes) expect(w.seq).toBeGreaterThanOrEqual(Math.floor((w.at - start) / 10)); // offered at most 10 ms before
    expect(writes[writes.length - 1].seq).toBeGreaterThan(seq - 500 / 10 - 1);
  });

  it("follows the configured interval", async () => {
    const { writes } = await stream(100);
    expect(writes.length).toBeGreaterThanOrEqual(49);
    expect(writes.length).toBeLessThanOrEqual(51);
  });
});

/**
 * A database whose message writes are recorded: each attempt (with the fake
 * time it started at), and each that landed. While `down`, writes fail; while
 * `hold` is set, they wait for it.
 */
function writeLog() {
  const w = { attempts: [] as { at: number; seq: number }[], landed: [] as number[], down: false, hold: null as Promise<void> | null };
  const db = {
    message: {
      updateMany: async (args: { data: { seq: number } }) => {
        w.attempts.push({ at: Date.now(), seq: args.data.seq });
        if (w.hold) await w.hold;
        if (w.down) throw new Error("connection refused");
        w.landed.push(args.data.seq);
        return { count: 1 };
      },
    },
  } as unknown as Db;
  return Object.assign(w, { db });
}
function gate() {
  let open = () => {};
  const closed = new Promise<void>((r) => (open = r));
  return { closed, open };
}

describe("Checkpointer writes only what is newer (its write log)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("never writes a state at or below the saved seq", async () => {
    const w = writeLog();
    const cp = new Checkpointer(w.db, randomUUID(), 0, 20, collect, 1_000);
    expect(await cp.flush(state(5, "five"))).toBe(true);
    expect(await cp.flush(state(5, "five again"))).toBe(true);
    expect(await cp.flush(state(3, "three"))).toBe(true);
    expect(w.attempts.map((a) => a.seq)).toEqual([5]);
    const started = new Checkpointer(w.db, randomUUID(), 9, 20, collect, 1_000); // a Continue from seq 9
    expect(await started.flush(state(9, "nine"))).toBe(true);
    expect(w.attempts).toHaveLength(1);
  });

  it("drops a waiting state that a write in flight has overtaken", async () => {
    const w = writeLog();
    const cp = new Checkpointer(w.db, randomUUID(), 0, 20, collect, 1_000);
    const g = gate();
    w.hold = g.closed;
    const five = cp.flush(state(5, "five"));
    await Promise.resolve();
    const four = cp.flush(state(4, "four")); // queued while five is being written
    w.hold = null;
    g.open();
    expect([await five, await four]).toEqual([true, true]);
    expect(w.attempts.map((a) => a.seq)).toEqual([5]);
    // The same state offered again while it is being written: written once.
    const g2 = gate();
    w.hold = g2.closed;
    const six = cp.flush(state(6, "six"));
    await Promise.resolve();
    const sixAgain = cp.flush(state(6, "six"));
    w.hold = null;
    g2.open();
    expect([await six, await sixAgain]).toEqual([true, true]);
    expect(w.attempts.map((a) => a.seq)).toEqual([5, 6]);
  });

  it.each([
    ["newer first", [4, 3]],
    ["older first", [3, 4]],
  ])("keeps the newest of two waiting states (%s)", async (_order, waiting) => {
    const w = writeLog();
    const cp = new Checkpointer(w.db, randomUUID(), 0, 20, collect, 1_000);
    const g = gate();
    w.hold = g.closed;
    const two = cp.flush(state(2, "two"));
    await Promise.resolve();
    const later = waiting.map((seq) => cp.flush(state(seq, `s${seq}`)));
    w.hold = null;
    g.open();
    expect(await Promise.all([two, ...later])).toEqual([true, true, true]);
    expect(w.landed).toEqual([2, 4]);
  });

  it("retries in the background the newest state that failed, or a newer offered one", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const w = writeLog();
    w.down = true;
    const cp = new Checkpointer(w.db, randomUUID(), 0, 20, collect, 1_000);
    expect(await cp.flush(state(3, "three"))).toBe(false);
    expect(await cp.flush(state(5, "five"))).toBe(false);
    expect(await cp.flush(state(4, "four"))).toBe(false);
    w.down = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(w.landed).toEqual([5]);
    w.down = true;
    expect(await cp.flush(state(8, "eight"))).toBe(false);
    cp.offer(() => state(9, "nine")); // waits: a retry is already scheduled
    w.down = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(w.landed).toEqual([5, 9]);
    cp.close();
  });

  it("backs off between background retries: 100, 200, 400, 800 ms, then every second", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const w = writeLog();
    w.down = true;
    const cp = new Checkpointer(w.db, randomUUID(), 0, 20, collect, 1_000);
    const start = Date.now();
    expect(await cp.flush(state(1, "a"))).toBe(false);
    await vi.advanceTimersByTimeAsync(3_600);
    cp.close();
    expect(w.attempts.map((a) => a.at - start)).toEqual([0, 100, 300, 700, 1_500, 2_500, 3_500]);
  });

  it("once closed, a final save that gives up leaves nothing retrying behind it", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const w = writeLog();
    w.down = true;
    const cp = new Checkpointer(w.db, randomUUID(), 0, 20, collect, 500);
    cp.close();
    const saved = cp.flush(state(4, "final", "complete"));
    await vi.advanceTimersByTimeAsync(600);
    expect(await saved).toBe(false);
    const tried = w.attempts.length;
    w.down = false;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(w.attempts).toHaveLength(tried);
  });
});

describe("retryWrite", () => {
  it("retries until the write works, or rethrows after its while", async () => {
    let n = 0;
    await expect(retryWrite(async () => (++n < 3 ? Promise.reject(new Error("down")) : "ok"), 5_000)).resolves.toBe("ok");
    expect(n).toBe(3);
    let m = 0;
    await expect(retryWrite(async () => (m++, Promise.reject(new Error("still down"))), 300)).rejects.toThrow("still down");
    expect(m).toBeGreaterThan(1);
  });

  it("waits 100, 200, 400… ms between attempts and stops exactly at its deadline (fake time)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const start = Date.now();
      const at: number[] = [];
      const failing = retryWrite(async () => (at.push(Date.now() - start), Promise.reject(new Error("down"))), 700);
      const settled = failing.catch((e: Error) => e.message);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(await settled).toBe("down");
      expect(at).toEqual([0, 100, 300, 700]); // the last one lands on the deadline, then it gives up
    } finally {
      vi.useRealTimers();
    }
  });

  it("backs off from 100 ms, doubling, to at most 1 s", () => {
    expect([1, 2, 3, 4, 5, 20].map(retryDelayMs)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});
