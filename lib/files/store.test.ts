// The file store seam holds for both implementations: the embedded one (files
// under a directory) and the S3 one against a real local S3 server (s3rver).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { contentKey, DiskFileStore, type FileStore } from "./store";
import { S3FileStore } from "./s3-store";
import { createFileStore } from ".";
import { startLocalS3, type LocalS3 } from "../testing/s3rver";
import { testConfig } from "../testing/app";

let dir: string;
let s3: LocalS3;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "tether-files-"));
  s3 = await startLocalS3();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await s3?.close();
});

const stores: [string, () => FileStore][] = [
  ["disk", () => new DiskFileStore(dir)],
  ["S3 (s3rver)", () => new S3FileStore(s3.settings)],
];

describe.each(stores)("%s file store", (_name, make) => {
  it("gives back exactly the bytes stored under their SHA-256, and nothing once deleted", async () => {
    const store = make();
    const bytes = new Uint8Array(randomBytes(300_000));
    const key = contentKey(bytes);
    expect(await store.get(key)).toBeNull();
    await store.put(key, bytes);
    await store.put(key, bytes); // storing equal content again is harmless
    expect(Buffer.from((await store.get(key))!).equals(Buffer.from(bytes))).toBe(true);
    await store.delete(key);
    expect(await store.get(key)).toBeNull();
    await store.delete(key); // deleting a missing key is not an error
  });

  it("refuses a key that is not a SHA-256 (a key names a path or an object)", async () => {
    const store = make();
    await expect(store.get("../../etc/passwd")).rejects.toThrow(/SHA-256/);
    await expect(store.put("ABC", new Uint8Array([1]))).rejects.toThrow(/SHA-256/);
  });

  it("another store over the same place reads what this one stored (another instance)", async () => {
    const bytes = new TextEncoder().encode(`shared ${Math.random()}`);
    const key = contentKey(bytes);
    await make().put(key, bytes);
    expect(new TextDecoder().decode((await make().get(key))!)).toBe(new TextDecoder().decode(bytes));
  });
});

describe("the configured store", () => {
  it("is the bucket when FILES_S3_BUCKET is set, else files under DATA_DIR/files", async () => {
    const disk = createFileStore(testConfig({ DATA_DIR: dir }));
    expect(disk.kind).toBe("disk");
    const bytes = new TextEncoder().encode("on disk");
    await disk.put(contentKey(bytes), bytes);
    expect(await readdir(path.join(dir, "files"))).toContain(contentKey(bytes).slice(0, 2));
    const bucket = createFileStore(testConfig({ DATA_DIR: dir, ...s3.env }));
    expect(bucket.kind).toBe("s3");
    await bucket.put(contentKey(bytes), bytes);
    expect(new TextDecoder().decode((await new S3FileStore(s3.settings).get(contentKey(bytes)))!)).toBe("on disk");
  });
});
