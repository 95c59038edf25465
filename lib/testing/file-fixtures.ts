// Uploads through the real route, and the test files (file-bytes.ts).
import * as files from "../../app/api/files/route";

export * from "./file-bytes";

/** POST /api/files with `bytes` as the body. */
export function upload(cookie: string, name: string, bytes: Uint8Array, type = "application/octet-stream"): Promise<Response> {
  const req = new Request(`http://localhost/api/files?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { cookie, "content-type": type },
    body: Buffer.from(bytes),
  });
  return files.POST(req, { params: Promise.resolve({}) });
}

/** Uploads and returns the file's id (expects 201). */
export async function uploaded(cookie: string, name: string, bytes: Uint8Array, type?: string): Promise<string> {
  const res = await upload(cookie, name, bytes, type);
  if (res.status !== 201) throw new Error(`upload of ${name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
