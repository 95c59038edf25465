// Trimming sets of characters off the ends of text that users and models
// write. A pattern like /[.,;]+$/ is quadratic on a long run of those
// characters followed by anything else (it is retried from every position of
// the run); these scans are linear (docs/SECURITY.md, "Text and regular
// expressions").

const WHITESPACE = /^\s$/u;

/** Whether `ch` (one code point) is whitespace as `\s` means it. */
export const isWhitespace = (ch: string) => WHITESPACE.test(ch);

/** `text` without the code points at its end for which `drop` holds. */
export function trimEndWhile(text: string, drop: (ch: string) => boolean): string {
  let end = text.length;
  while (end > 0) {
    const low = text.charCodeAt(end - 1);
    const high = end > 1 ? text.charCodeAt(end - 2) : 0;
    const size = low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? 2 : 1;
    if (!drop(text.slice(end - size, end))) break;
    end -= size;
  }
  return text.slice(0, end);
}

/** `text` without the code points at its start for which `drop` holds. */
export function trimStartWhile(text: string, drop: (ch: string) => boolean): string {
  let start = 0;
  while (start < text.length) {
    const ch = String.fromCodePoint(text.codePointAt(start)!);
    if (!drop(ch)) break;
    start += ch.length;
  }
  return text.slice(start);
}

/** `text` without the characters of `chars` at its end (what `/[chars]+$/` would remove). */
export const trimCharsEnd = (text: string, chars: string) => trimEndWhile(text, (ch) => chars.includes(ch));

/** `text` without the characters of `chars` at its start. */
export const trimCharsStart = (text: string, chars: string) => trimStartWhile(text, (ch) => chars.includes(ch));

/** `text` without whitespace or the characters of `chars` at its end (`/[\s<chars>]+$/u`). */
export const trimSpaceAndCharsEnd = (text: string, chars: string) => trimEndWhile(text, (ch) => chars.includes(ch) || isWhitespace(ch));
