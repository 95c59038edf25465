// `prisma generate` without network: every Prisma CLI command insists on a
// native schema-engine binary that these machines cannot download, although
// generating the client never runs it. Point the CLI at a stub that exits 1.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, chmodSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const stub = join(root, "node_modules", ".cache", "tether", "schema-engine-stub");
  if (!existsSync(stub)) {
    mkdirSync(dirname(stub), { recursive: true });
    writeFileSync(stub, "#!/bin/sh\necho 'schema engine binary not available offline; use prisma/migrate.ts' >&2\nexit 1\n");
    chmodSync(stub, 0o755);
  }
  env.PRISMA_SCHEMA_ENGINE_BINARY = stub;
}
const cli = join(root, "node_modules", "prisma", "build", "index.js");
const r = spawnSync(process.execPath, [cli, "generate"], { cwd: root, env, stdio: "inherit" });
process.exit(r.status ?? 1);
