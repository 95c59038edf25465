// A process for lock.test.ts that takes the data-directory lock and keeps
// it until it is killed. Run: node --import tsx lib/platform/db/lock-holder.fixture.ts <dir>
import { acquireDataDirLock } from "./lock";

acquireDataDirLock(process.argv[2]);
process.stdout.write(`locked ${process.pid}\n`);
setInterval(() => {}, 1 << 30);
