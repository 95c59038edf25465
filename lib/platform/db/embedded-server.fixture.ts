// A server for embedded-process.test.ts that opens the embedded database
// (served by its own process), writes a row, and is then killed with SIGKILL,
// or with "stay" keeps running.
// Run: node --import tsx lib/platform/db/embedded-server.fixture.ts <dataDir> <text> [stay]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from ".";

const [dataDir, text, stay] = process.argv.slice(2);
const db = await openDatabase({ kind: "pglite", dataDir });
await db.prisma.$executeRawUnsafe("create table if not exists probe (text text)");
await db.prisma.$executeRawUnsafe("insert into probe values ($1)", text);
const lock = JSON.parse(readFileSync(join(dataDir, "tether.lock"), "utf8")) as { child: { pid: number } };
process.stdout.write(`wrote ${lock.child.pid}\n`);
if (stay) setInterval(() => {}, 1 << 30);
else process.kill(process.pid, "SIGKILL");
