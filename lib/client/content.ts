// The rule for what a user may send (docs/PROTOCOL.md §3), checked in the browser too so
// the composer and the message editor can say so before the server does:
// non-empty after trimming, at most 32,000 Unicode code points (the server's
// MAX_CONTENT_CHARS in lib/reply/admission.ts).
export const MAX_CONTENT_CHARS = 32_000;

/** Length in code points (an emoji counts once, as the server counts it). */
export function contentLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

type ContentCheck = { ok: true } | { ok: false; reason: "empty" | "too_long"; length: number };

export function checkContent(text: string): ContentCheck {
  if (text.trim() === "") return { ok: false, reason: "empty", length: 0 };
  // Cheap bound first: code points never outnumber UTF-16 units.
  if (text.length <= MAX_CONTENT_CHARS) return { ok: true };
  const length = contentLength(text);
  return length > MAX_CONTENT_CHARS ? { ok: false, reason: "too_long", length } : { ok: true };
}

/** The counter shown once a text gets close to the limit (null below 90%). */
export function lengthNotice(text: string): { text: string; over: boolean } | null {
  if (text.length < MAX_CONTENT_CHARS * 0.9) return null;
  const n = contentLength(text);
  if (n < MAX_CONTENT_CHARS * 0.9) return null;
  const over = n > MAX_CONTENT_CHARS;
  const fmt = (x: number) => x.toLocaleString("en-US");
  return { text: over ? `${fmt(n - MAX_CONTENT_CHARS)} characters over the ${fmt(MAX_CONTENT_CHARS)} limit` : `${fmt(n)} / ${fmt(MAX_CONTENT_CHARS)}`, over };
}
