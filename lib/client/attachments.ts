// The composer's checks before an upload (docs/API.md#files): the server
// decides by content, this only spares the user a pointless upload and says
// why at once. The pages pass the server's limits down (FILE limits of
// lib/config.ts); CLIENT_LIMITS are its defaults.
import { claimedKind, signatureKind } from "../files/sniff";

/** What the browser checks: the server's per-file and per-message limits. */
export type FileLimits = { imageBytes: number; pdfBytes: number; textBytes: number; perMessage: number; bytesPerMessage: number };

export const CLIENT_LIMITS: FileLimits = {
  imageBytes: 3_932_160,
  pdfBytes: 20_971_520,
  textBytes: 262_144,
  perMessage: 10,
  bytesPerMessage: 20_971_520,
};

const MIB = 1024 * 1024;
export const sizeLabel = (n: number) => (n >= MIB ? `${Number((n / MIB).toFixed(2))} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`);

export type Precheck = { ok: true; kind: "image" | "pdf" | "text" } | { ok: false; message: string };

/** Checks a picked file by its first bytes and size; `head` is at least its first 16 bytes (or all of it). */
export function precheckFile(file: { name: string; size: number; type: string }, head: Uint8Array, l = CLIENT_LIMITS): Precheck {
  if (file.size === 0) return { ok: false, message: `"${file.name}" is empty.` };
  const claimed = claimedKind(file.name, file.type || null);
  const kind = signatureKind(head) ?? (head.includes(0) ? null : "text");
  if (!kind) return { ok: false, message: `"${file.name}" cannot be attached: only images (PNG, JPEG, GIF, WebP), PDFs and text or code files.` };
  if (claimed && claimed !== kind) {
    return { ok: false, message: `"${file.name}" looks like ${claimed === "image" ? "an image" : "a PDF"} by its name, but its content is not: it cannot be attached.` };
  }
  const max = kind === "image" ? l.imageBytes : kind === "pdf" ? l.pdfBytes : l.textBytes;
  const what = kind === "image" ? "Images" : kind === "pdf" ? "PDFs" : "Text files";
  if (file.size > max) return { ok: false, message: `"${file.name}" is too large (${sizeLabel(file.size)}): ${what} may be at most ${sizeLabel(max)}.` };
  return { ok: true, kind };
}
