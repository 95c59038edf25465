// The embedded database's own process (embedded-server.mjs) as the server
// meets it: each connection's queries and transactions run whole although
// they share one PGlite session; a connection that goes away mid-transaction
// is rolled back; the group's signals leave it running for the server's
// drain; a server killed with SIGKILL takes it along, and the next server
// opens the directory with every row.
import { spawn } from "node:child_process";
import { connect as connectSocket, type Socket } from "node:net";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { serveEmbeddedDatabase } from "./embedded";
import { openDatabase } from ".";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "tether-served-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A wire-protocol client that sends each message when told, as no driver does: to split an exchange in time. */
async function rawConnection(pgConfig: { host: string; port: number }) {
  const socket: Socket = connectSocket(join(pgConfig.host, `.s.PGSQL.${pgConfig.port}`));
  let received = Buffer.alloc(0);
  let wake = () => {};
  socket.on("data", (b: Buffer) => ((received = Buffer.concat([received, b])), wake()));
  const message = (type: string, body: Buffer) => {
    const head = Buffer.alloc(5);
    head.write(type, 0);
    head.writeInt32BE(body.length + 4, 1);
    return Buffer.concat([head, body]);
  };
  const cstr = (v: string) => Buffer.from(`${v}\0`);
  /** Reads up to ReadyForQuery; returns the first column of each DataRow. */
  const untilReady = async () => {
    const values: string[] = [];
    for (;;) {
      while (received.length >= 5 && received.length >= 1 + received.readInt32BE(1)) {
        const length = 1 + received.readInt32BE(1);
        const type = String.fromCharCode(received[0]);
        if (type === "D") values.push(received.subarray(11, 11 + received.readInt32BE(7)).toString());
        if (type === "E") throw new Error(`error response: ${received.subarray(5, length).toString()}`);
        received = received.subarray(length);
        if (type === "Z") return values;
      }
      await new Promise<void>((r) => (wake = r));
    }
  };
  await new Promise<void>((r) => socket.once("connect", r));
  const startup = Buffer.concat([Buffer.alloc(8), cstr("user"), cstr("postgres"), cstr("database"), cstr("postgres"), Buffer.from([0])]);
  startup.writeInt32BE(startup.length, 0);
  startup.writeInt32BE(196608, 4);
  socket.write(startup);
  await untilReady();
  return {
    /** Parse of an unnamed statement without parameters. */
    parse: (sql: string) => socket.write(message("P", Buffer.concat([cstr(""), cstr(sql), Buffer.from([0, 0])]))),
    /** Bind, Execute and Sync of the unnamed statement; its rows' first column. */
    run: () => {
      socket.write(
        Buffer.concat([
          message("B", Buffer.concat([cstr(""), cstr(""), Buffer.from([0, 0, 0, 0, 0, 0])])),
          message("E", Buffer.concat([cstr(""), Buffer.from([0, 0, 0, 0])])),
          message("S", Buffer.alloc(0)),
        ]),
      );
      return untilReady();
    },
    end: () => socket.destroy(),
  };
}

describe("the embedded database process", () => {
  let served: NonNullable<Awaited<ReturnType<typeof serveEmbeddedDatabase>>>;
  const clients: pg.Client[] = [];
  const connect = async () => {
    const c = new pg.Client(served.served.pg);
    await c.connect();
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    served = (await serveEmbeddedDatabase(tempDir()))!;
    expect(served).not.toBeNull();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => {})));
  });
  afterAll(() => served.release());

  it("gives each of many connections its own answers while their parameterized queries interleave", async () => {
    const conns = await Promise.all(Array.from({ length: 8 }, connect));
    // Each connection one query after another (as a pool uses it), all eight at once.
    const answers = (
      await Promise.all(
        conns.map(async (c, i) => {
          const mine: boolean[] = [];
          for (let j = 0; j < 40; j++) {
            const { rows } = await c.query<{ n: number; s: string }>("select $1::int as n, $2::text as s", [i * 1000 + j, `c${i}-q${j}`]);
            mine.push(rows[0].n === i * 1000 + j && rows[0].s === `c${i}-q${j}`);
          }
          return mine;
        }),
      )
    ).flat();
    expect(answers.filter((ok) => !ok)).toHaveLength(0);
    expect(answers).toHaveLength(320);
  });

  it("keeps a connection's statement its own while another connection's whole query runs between its Parse and its Bind", async () => {
    const a = await rawConnection(served.served.pg);
    const b = await connect();
    try {
      a.parse("select 'mine' as who");
      // Another connection's unnamed statement, parsed and run while A's exchange is open.
      expect((await b.query<{ who: string }>("select $1::text as who", ["theirs"])).rows[0].who).toBe("theirs");
      expect(await a.run()).toEqual(["mine"]);
    } finally {
      a.end();
    }
  });

  it("takes a statement of megabytes, read in many pieces, and gives it back exact", async () => {
    const c = await connect();
    const text = "日本語 ✓ \u{1F98A} data: x\n\n".repeat(200_000); // 4.8 MB of UTF-8
    const { rows } = await c.query<{ same: boolean; length: number }>("select $1::text = $2::text as same, length($1::text) as length", [text, text]);
    expect(rows[0]).toEqual({ same: true, length: [...text].length });
    expect((await c.query<{ t: string }>("select $1::text as t", [text])).rows[0].t).toBe(text);
  });

  it("runs a connection's transaction whole: another connection never sees it half done", async () => {
    const [a, b] = [await connect(), await connect()];
    await a.query("create table whole (x int)");
    await a.query("begin");
    await a.query("insert into whole values ($1)", [1]);
    let committed = false;
    const seen = b.query<{ n: number }>("select count(*)::int as n from whole").then((r) => ({ n: r.rows[0].n, committed }));
    for (let i = 2; i <= 20; i++) await a.query("insert into whole values ($1)", [i]);
    committed = true;
    await a.query("commit");
    expect(await seen).toEqual({ n: 20, committed: true });
  });

  it("rolls back the transaction of a connection that went away, and the others go on", async () => {
    const [a, b] = [await connect(), await connect()];
    await a.query("create table gone (x int)");
    await a.query("begin");
    await a.query("insert into gone values (1)");
    const waiting = b.query<{ n: number }>("select count(*)::int as n from gone");
    a.on("error", () => {}); // its own end, below
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    expect((await waiting).rows[0].n).toBe(0);
    expect((await b.query("select 1 as one")).rows[0].one).toBe(1);
  });

  it("keeps serving through the SIGINT and SIGTERM a terminal or a supervisor sends the whole group", async () => {
    const c = await connect();
    process.kill(served.served.pid, "SIGTERM");
    process.kill(served.served.pid, "SIGINT");
    await new Promise((r) => setTimeout(r, 200));
    expect((await c.query("select 2 as two")).rows[0].two).toBe(2);
  });
});

/** Runs the fixture server (embedded-server.fixture.ts); resolves with the database process's pid once it wrote. */
function fixtureServer(dataDir: string, text: string, stay = false) {
  const fixture = fileURLToPath(new URL("./embedded-server.fixture.ts", import.meta.url));
  const root = fileURLToPath(new URL("../../..", import.meta.url));
  const server = spawn(process.execPath, ["--import", "tsx", fixture, dataDir, text, ...(stay ? ["stay"] : [])], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const wrote = new Promise<number>((resolve) =>
    server.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      const pid = /wrote (\d+)/.exec(out)?.[1];
      if (pid) resolve(Number(pid));
    }),
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => server.once("exit", (code, signal) => r({ code, signal })));
  return { server, wrote, exited };
}

const gone = (pid: number) => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");

describe("a server whose database process dies", () => {
  it("ends (so that a supervisor starts it again) instead of running on without its database", async () => {
    const dataDir = join(tempDir(), "data");
    const { server, wrote, exited } = fixtureServer(dataDir, "kept", true);
    try {
      process.kill(await wrote, "SIGKILL");
      expect(await exited).toEqual({ code: 1, signal: null });
    } finally {
      server.kill("SIGKILL");
    }
    const db = await openDatabase({ kind: "pglite", dataDir });
    try {
      expect(await db.prisma.$queryRawUnsafe("select text from probe")).toEqual([{ text: "kept" }]);
    } finally {
      await db.close();
    }
  }, 180_000);
});

describe("a server killed with SIGKILL", () => {
  it("takes its database process along, and the next server opens the directory with every row", async () => {
    const dataDir = join(tempDir(), "data");
    let childPid = 0;
    for (const text of ["first", "second ✓"]) {
      // The second start comes at once: it waits for the first one's database process if that has not gone yet (lock.ts).
      const { wrote, exited } = fixtureServer(dataDir, text);
      childPid = await wrote;
      expect((await exited).signal).toBe("SIGKILL");
    }
    await expect.poll(() => gone(childPid)).toBe(true);
    const db = await openDatabase({ kind: "pglite", dataDir });
    try {
      const rows = await db.prisma.$queryRawUnsafe<{ text: string }[]>("select text from probe order by text");
      expect(rows.map((r) => r.text)).toEqual(["first", "second ✓"]);
    } finally {
      await db.close();
    }
  }, 180_000); // three starts of the database, on a busy machine
});
