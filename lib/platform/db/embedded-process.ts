// The embedded database in a process of its own (embedded-server.mjs): PGlite
// behind the PostgreSQL wire protocol on a Unix socket in a private
// directory, which the server reaches with the same `pg` driver as
// PostgreSQL. PGlite runs its SQL synchronously in WebAssembly; here that
// work (and its ~150 MB) is off the server's thread and out of its memory
// (docs/BENCHMARKS.md, "The embedded database in a process of its own").
//
// The process lives exactly as long as the server: it ignores the signals a
// terminal or a supervisor sends the whole group (the server still needs it
// to save what is streaming while it drains), closes when the server asks,
// and exits at once when the server is gone (its files are then as a killed
// process leaves them, which PGlite recovers from). lock.ts names it, so no
// new server opens the directory until it has exited.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The port in the socket's name (`.s.PGSQL.<port>`); nothing listens on TCP. */
const SOCKET_PORT = 5432;

/** How long the process may take to open the database and listen. */
const START_TIMEOUT_MS = 60_000;

/** The process's program, from the app's directory (where `npm start` runs, and node_modules is). */
const PROGRAM = "lib/platform/db/embedded-server.mjs";

export type EmbeddedProcess = {
  /** pg connection settings for the socket. */
  pg: { host: string; port: number; user: string; database: string };
  pid: number;
  /** Asks the process to close the database, and waits for it to exit. */
  stop(): Promise<void>;
  /** Called if the process exits without being asked to. */
  onExit(listener: (code: number | null) => void): void;
};

/**
 * Starts the database process on the PGlite directory `dir`. `spawned` is
 * told its pid before it opens the directory (the lock names it from then on).
 */
export async function startEmbeddedProcess(dir: string, startParams: string[], spawned: (pid: number) => void): Promise<EmbeddedProcess> {
  const program = resolve(/*turbopackIgnore: true*/ process.cwd(), PROGRAM);
  if (!existsSync(program)) throw new Error(`${PROGRAM} not found from ${process.cwd()}`);
  const socketDir = mkdtempSync(join(tmpdir(), "tether-db-")); // 0700: only this user may connect
  const path = join(socketDir, `.s.PGSQL.${SOCKET_PORT}`);
  const child: ChildProcess = spawn(process.execPath, [program, dir, JSON.stringify(startParams), path], {
    stdio: ["ignore", "inherit", "pipe", "ipc"],
  });
  if (child.pid !== undefined) spawned(child.pid);
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
    process.stderr.write(b);
  });
  let stopping = false;
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const cleanUp = () => rmSync(socketDir, { recursive: true, force: true });
  void exited.then(cleanUp);

  try {
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error("the embedded database process did not start in time")), START_TIMEOUT_MS);
      child.once("message", (m) => (clearTimeout(timer), m === "ready" ? ready() : fail(new Error(`unexpected message ${String(m)}`))));
      child.once("error", (e) => (clearTimeout(timer), fail(e)));
      void exited.then((code) => (clearTimeout(timer), fail(new Error(`the embedded database process exited (${code}): ${stderr.trim()}`))));
    });
  } catch (e) {
    child.kill("SIGKILL");
    await exited;
    throw e;
  }
  // The server may exit while it runs; the channel to it must not keep the server alive.
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();

  return {
    pg: { host: socketDir, port: SOCKET_PORT, user: "postgres", database: "postgres" },
    pid: child.pid!,
    async stop() {
      if (stopping) return void (await exited);
      stopping = true;
      // Held until it has exited (unref'd above).
      child.ref();
      (child.channel as { ref?: () => void } | undefined)?.ref?.();
      if (child.connected) child.send("close");
      else child.kill("SIGKILL");
      await exited;
    },
    onExit(listener) {
      void exited.then((code) => {
        if (!stopping) listener(code);
      });
    },
  };
}
