// The embedded database's own process (started by embedded-process.ts):
// PGlite on a directory, served over the PostgreSQL wire protocol on a Unix
// socket to the server's `pg` pool.
//
// PGlite is one PostgreSQL session. Several connections share it safely only
// if each one's work runs whole: a transaction (BEGIN … COMMIT), and each
// extended-protocol exchange (Parse, Bind, Execute … up to its Sync), whose
// unnamed statement and portal another connection's Parse would replace. So
// a connection's messages are run as exchanges, in arrival order, and while
// one connection is in a transaction or mid-exchange only its own run.
// (@electric-sql/pglite-socket 0.2.17 interleaves single messages outside
// transactions, which gave one connection another's query; docs/BENCHMARKS.md.)
//
// Run: node embedded-server.mjs <pglite dir> <start params JSON> <socket path>
import { createServer } from "node:net";
import { PGlite } from "@electric-sql/pglite";

const [dir, params, socketPath] = process.argv.slice(2);

// Signals to the group (a terminal's Ctrl-C, a supervisor's SIGTERM) are for
// the server, which still saves what is streaming while it drains; this
// process goes when the server asks, or when the server is gone.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => {});
process.on("disconnect", () => process.exit(0));

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4);
/** Message types after which a connection's exchange is complete: Sync, Query, Flush. */
const ENDS = new Set(["S", "Q", "H"]);

const db = await PGlite.create(dir, { startParams: JSON.parse(params) });

/**
 * `parts`: what arrived and is not parsed yet, `size` its bytes, `need` the
 * bytes the next message needs (joined only then: a large statement comes in
 * many reads). `pending`: messages of the exchange still arriving.
 * @typedef {{ socket: import("node:net").Socket, parts: Buffer[], size: number, need: number, started: boolean, pending: Uint8Array[], open: boolean }} Conn
 */
/** Exchanges in arrival order; a `close` entry ends its connection's share of the session. */
/** @type {{ conn: Conn, messages?: Uint8Array[], close?: true }[]} */
const queue = [];
/** The connection holding the session (in a transaction, or mid-exchange), or null. */
let owner = null;
let running = false;

async function run(conn, message) {
  await db.runExclusive(() =>
    db.execProtocolRawStream(message, {
      onRawData: (data) => {
        if (conn.open && data.length > 0) conn.socket.write(Buffer.from(data));
      },
    }),
  );
}

async function pump() {
  if (running) return;
  running = true;
  try {
    for (;;) {
      const at = owner ? queue.findIndex((e) => e.conn === owner) : queue.length ? 0 : -1;
      if (at < 0) return;
      const [entry] = queue.splice(at, 1);
      if (entry.close) {
        if (owner === entry.conn) {
          // Gone mid-exchange or mid-transaction: end both, as PostgreSQL does for a lost connection.
          await run(entry.conn, SYNC);
          if (db.isInTransaction()) await db.exec("ROLLBACK");
          owner = null;
        }
        continue;
      }
      let last = "";
      for (const message of entry.messages) {
        await run(entry.conn, message);
        last = entry.conn.started ? String.fromCharCode(message[0]) : "";
      }
      const exchangeOpen = last === "H";
      owner = db.isInTransaction() || exchangeOpen ? entry.conn : null;
    }
  } catch (e) {
    console.error("embedded database:", e);
    process.exit(1);
  } finally {
    running = false;
  }
}

/** Splits what arrived into messages and queues each complete exchange. */
function receive(conn, chunk) {
  conn.parts.push(chunk);
  conn.size += chunk.length;
  if (conn.size < conn.need) return;
  let buf = conn.parts.length === 1 ? conn.parts[0] : Buffer.concat(conn.parts, conn.size);
  for (;;) {
    // The length of the next message, once its header is here (0: not yet).
    let length = 0;
    if (!conn.started) length = buf.length >= 8 ? buf.readInt32BE(0) : 0;
    else length = buf.length >= 5 ? 1 + buf.readInt32BE(1) : 0;
    if (length !== 0 && length < (conn.started ? 5 : 8)) return void conn.socket.destroy(); // not the protocol
    if (length === 0 || buf.length < length) {
      conn.need = length || (conn.started ? 5 : 8);
      break;
    }
    const message = buf.subarray(0, length);
    buf = buf.subarray(length);
    if (!conn.started) {
      const code = message.readInt32BE(4);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        conn.socket.write("N");
        continue;
      }
      if (code === CANCEL_REQUEST) return void conn.socket.destroy(); // not supported
      // The startup message, after which every message has a type byte.
      conn.started = true;
      queue.push({ conn, messages: [Uint8Array.from(message)] });
      continue;
    }
    const type = String.fromCharCode(message[0]);
    if (type === "X") {
      conn.socket.end();
      break;
    }
    conn.pending.push(Uint8Array.from(message));
    if (ENDS.has(type)) queue.push({ conn, messages: conn.pending.splice(0) });
  }
  conn.parts = buf.length ? [buf] : [];
  conn.size = buf.length;
  void pump();
}

const server = createServer((socket) => {
  /** @type {Conn} */
  const conn = { socket, parts: [], size: 0, need: 8, started: false, pending: [], open: true };
  socket.setNoDelay(true);
  socket.on("data", (chunk) => receive(conn, chunk));
  socket.on("error", () => {});
  socket.on("close", () => {
    conn.open = false;
    // What it still had queued is abandoned with it.
    for (let i = queue.length - 1; i >= 0; i--) if (queue[i].conn === conn) queue.splice(i, 1);
    queue.push({ conn, close: true });
    void pump();
  });
});

process.on("message", (m) => {
  if (m !== "close") return;
  server.close();
  void db.close().then(() => process.exit(0));
});

server.listen(socketPath, () => process.send?.("ready"));
