#!/usr/bin/env node
// Checks that package-lock.json is complete and up to date, without the
// network (it reads only package.json and package-lock.json):
//
//  - package.json's dependency lists (and name, version, engines) equal the
//    lock's root entry, so the lock is not stale;
//  - every dependency in package.json is pinned to an exact version, and that
//    version is the one locked;
//  - every dependency, optional dependency and required peer dependency of
//    every locked package has an entry in the lock, found the way Node.js
//    resolves it (nested node_modules first, then each parent's). Optional
//    dependencies are mostly native packages for other platforms
//    (@next/swc-darwin-arm64, @tailwindcss/oxide-win32-x64-msvc, ...): npm
//    leaves them out when a lock is written from an install that had none of
//    them, and then `npm ci` fails on the machines that need them.
//
// When it fails, regenerate the lock with a plain `npm install` (it adds what
// is missing) and commit it.
//
//   node scripts/check-lockfile.mjs [project-dir]
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const dir = resolve(process.argv[2] ?? join(fileURLToPath(import.meta.url), "..", ".."));
const readJson = (name) => JSON.parse(readFileSync(join(dir, name), "utf8"));
const pkg = readJson("package.json");
const lock = readJson("package-lock.json");

const problems = [];
const EXACT = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const DEP_FIELDS = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"];

if (!(lock.lockfileVersion >= 2) || !lock.packages) {
  problems.push(`lockfileVersion ${lock.lockfileVersion}: expected 2 or 3 (npm 7 or later)`);
} else {
  checkRoot(lock.packages[""] ?? {});
  checkTree(lock.packages);
}

if (problems.length > 0) {
  console.error(`package-lock.json is incomplete or stale (${problems.length} problem${problems.length === 1 ? "" : "s"}):`);
  for (const p of problems.slice(0, 50)) console.error(`  - ${p}`);
  if (problems.length > 50) console.error(`  … and ${problems.length - 50} more`);
  console.error("Run `npm install` (it completes the lock; add exact versions with `npm install -E`) and commit package-lock.json.");
  process.exit(1);
}
console.log(`package-lock.json: complete and in step with package.json (${Object.keys(lock.packages).length - 1} packages).`);

function checkRoot(root) {
  for (const field of ["name", "version"]) {
    if (pkg[field] !== lock[field] || pkg[field] !== root[field]) problems.push(`${field}: package.json has ${pkg[field]}, the lock ${lock[field]} / ${root[field]}`);
  }
  for (const field of [...DEP_FIELDS, "engines"]) {
    const want = pkg[field] ?? {};
    const have = root[field] ?? {};
    for (const name of new Set([...Object.keys(want), ...Object.keys(have)])) {
      if (want[name] !== have[name]) problems.push(`${field}.${name}: package.json has ${want[name] ?? "nothing"}, the lock's root entry ${have[name] ?? "nothing"}`);
    }
  }
  for (const field of ["dependencies", "devDependencies", "optionalDependencies"]) {
    for (const [name, spec] of Object.entries(pkg[field] ?? {})) {
      if (!EXACT.test(spec)) {
        problems.push(`${field}.${name} is "${spec}": pin an exact version`);
        continue;
      }
      const entry = lock.packages[`node_modules/${name}`];
      if (!entry) problems.push(`${name}@${spec} (package.json ${field}) is not in the lock`);
      else if (entry.version !== spec) problems.push(`${name}: package.json pins ${spec}, the lock has ${entry.version}`);
    }
  }
}

function checkTree(packages) {
  for (const [path, entry] of Object.entries(packages)) {
    if (entry.link) continue; // a workspace link: its target has its own entry
    const wanted = [
      ...Object.entries(entry.dependencies ?? {}).map(([name, spec]) => [name, spec, "dependency"]),
      ...Object.entries(entry.optionalDependencies ?? {}).map(([name, spec]) => [name, spec, "optional dependency"]),
      ...Object.entries(entry.peerDependencies ?? {})
        .filter(([name]) => !entry.peerDependenciesMeta?.[name]?.optional)
        .map(([name, spec]) => [name, spec, "peer dependency"]),
    ];
    for (const [name, spec, kind] of wanted) {
      if (!locate(packages, path, name)) problems.push(`${path || "the project"} needs ${name}@${spec} (${kind}), which has no entry in the lock`);
    }
  }
}

/** The lock entry Node.js would load for `name` required from the package at `from`. */
function locate(packages, from, name) {
  let base = from;
  for (;;) {
    const hit = packages[`${base ? `${base}/` : ""}node_modules/${name}`];
    if (hit) return hit;
    if (!base) return undefined;
    const up = base.lastIndexOf("/node_modules/");
    base = up === -1 ? "" : base.slice(0, up);
  }
}
