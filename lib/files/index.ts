// The file store the configuration names: an S3-compatible bucket when
// FILES_S3_BUCKET is set (scaled mode), else files under DATA_DIR/files.
import path from "node:path";
import type { Config } from "../config";
import { S3FileStore } from "./s3-store";
import { DiskFileStore, type FileStore } from "./store";

export type { FileStore } from "./store";

export function createFileStore(config: Pick<Config, "files" | "dataDir">): FileStore {
  return config.files.s3 ? new S3FileStore(config.files.s3) : new DiskFileStore(path.join(config.dataDir, "files"));
}
