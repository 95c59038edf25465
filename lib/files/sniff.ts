// What a file is, told by its bytes (docs/API.md#files), never by its name or
// declared type: PNG, JPEG, GIF and WebP images (with their size in pixels),
// PDFs (with their page count when it can be read without decompressing),
// and text: valid UTF-8 with no NUL byte.

export type Sniffed =
  | { kind: "image"; mediaType: "image/png" | "image/jpeg" | "image/gif" | "image/webp"; width: number; height: number }
  | { kind: "pdf"; mediaType: "application/pdf"; pages: number | null }
  | { kind: "text"; mediaType: "text/plain" }
  | { kind: "unknown" };

const startsWith = (b: Uint8Array, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const u16le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u24le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const u32be = (b: Uint8Array, i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;

export function sniff(b: Uint8Array): Sniffed {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    // The IHDR chunk comes first: width and height at 16 and 20.
    if (b.length < 24 || !startsWith(b, ascii("IHDR"), 12)) return { kind: "unknown" };
    return { kind: "image", mediaType: "image/png", width: u32be(b, 16), height: u32be(b, 20) };
  }
  if (startsWith(b, [0xff, 0xd8, 0xff])) {
    const size = jpegSize(b);
    return size ? { kind: "image", mediaType: "image/jpeg", ...size } : { kind: "unknown" };
  }
  if ((startsWith(b, ascii("GIF87a")) || startsWith(b, ascii("GIF89a"))) && b.length >= 10) {
    return { kind: "image", mediaType: "image/gif", width: u16le(b, 6), height: u16le(b, 8) };
  }
  if (startsWith(b, ascii("RIFF")) && startsWith(b, ascii("WEBP"), 8)) {
    const size = webpSize(b);
    return size ? { kind: "image", mediaType: "image/webp", ...size } : { kind: "unknown" };
  }
  if (startsWith(b, ascii("%PDF-"))) return { kind: "pdf", mediaType: "application/pdf", pages: pdfPages(b) };
  if (isText(b)) return { kind: "text", mediaType: "text/plain" };
  return { kind: "unknown" };
}

/** The first start-of-frame segment's size (SOF0–SOF15 but DHT, JPG and DAC). */
function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2; // no length
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    }
    i += 2 + u16be(b, i + 2);
  }
  return null;
}

function webpSize(b: Uint8Array): { width: number; height: number } | null {
  if (b.length < 30) return null;
  if (startsWith(b, ascii("VP8 "), 12)) {
    if (!startsWith(b, [0x9d, 0x01, 0x2a], 23)) return null;
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  if (startsWith(b, ascii("VP8L"), 12)) {
    if (b[20] !== 0x2f) return null;
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (startsWith(b, ascii("VP8X"), 12)) return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  return null;
}

/**
 * Page objects (`/Type /Page`, not `/Pages`) counted in the raw bytes. Pages
 * kept inside compressed object streams are not visible: then null (unknown),
 * and the API's own limit still applies.
 */
function pdfPages(b: Uint8Array): number | null {
  const text = new TextDecoder("latin1").decode(b);
  let n = 0;
  for (const m of text.matchAll(/\/Type\s*\/Page(?![a-zA-Z])/g)) if (m) n++;
  return n > 0 ? n : null;
}

function isText(b: Uint8Array): boolean {
  if (b.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

/** The kind the first bytes announce (no size read): what a browser can check before uploading. */
export function signatureKind(head: Uint8Array): "image" | "pdf" | null {
  if (
    startsWith(head, [0x89, 0x50, 0x4e, 0x47]) ||
    startsWith(head, [0xff, 0xd8, 0xff]) ||
    startsWith(head, ascii("GIF8")) ||
    (startsWith(head, ascii("RIFF")) && startsWith(head, ascii("WEBP"), 8))
  )
    return "image";
  return startsWith(head, ascii("%PDF-")) ? "pdf" : null;
}

/** What a name's extension or a declared type claims the file is (a claim only: checked against the bytes). */
export function claimedKind(name: string, declared: string | null): "image" | "pdf" | null {
  const ext = /\.([a-z0-9]{1,8})$/i.exec(name)?.[1]?.toLowerCase() ?? "";
  const type = (declared ?? "").toLowerCase();
  if (["png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff", "heic", "avif", "ico"].includes(ext) || type.startsWith("image/")) return "image";
  if (ext === "pdf" || type === "application/pdf") return "pdf";
  return null;
}
