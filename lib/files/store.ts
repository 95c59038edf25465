// Where attachment bytes live (docs/ARCHITECTURE.md): one small seam, keyed by
// the SHA-256 of the content, so equal files are stored once and a key can
// never point at other bytes. Embedded mode keeps them under DATA_DIR/files;
// scaled mode uses an S3-compatible bucket (s3-store.ts) that every instance
// reads. Owner checks live above this seam (attachments.ts): a key is not a
// capability.
import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { writeFile } from "node:fs/promises";
import path from "node:path";

export interface FileStore {
  readonly kind: "disk" | "s3" | "memory";
  /** Stores `bytes` under `key` (their SHA-256, hex); storing the same key again is harmless. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes stored under `key`, or null when there are none. */
  get(key: string): Promise<Uint8Array | null>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
}

const KEY_RE = /^[0-9a-f]{64}$/;

/** The key of `bytes`: their SHA-256 in lowercase hex. */
export const contentKey = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Keys reach paths and object names: only a well-formed digest may. */
export function checkKey(key: string): string {
  if (!KEY_RE.test(key)) throw new Error(`not a SHA-256 key: ${JSON.stringify(key)}`);
  return key;
}

/** Files under `dir`, fanned out by the key's first two characters. Writes are atomic (temp file, then rename). */
export class DiskFileStore implements FileStore {
  readonly kind = "disk" as const;
  constructor(private readonly dir: string) {}

  private pathOf(key: string) {
    checkKey(key);
    return path.join(this.dir, key.slice(0, 2), key);
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const file = this.pathOf(key);
    const exists = await stat(file).then(
      (s) => s.size === bytes.byteLength,
      () => false,
    );
    if (exists) return;
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

/** In memory: for tests that need no files on disk. */
export class MemoryFileStore implements FileStore {
  readonly kind = "memory" as const;
  readonly files = new Map<string, Uint8Array>();
  async put(key: string, bytes: Uint8Array) {
    this.files.set(checkKey(key), bytes.slice());
  }
  async get(key: string) {
    return this.files.get(checkKey(key))?.slice() ?? null;
  }
  async delete(key: string) {
    this.files.delete(checkKey(key));
  }
}
