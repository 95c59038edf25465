// When a message was written, as its action bar shows it (on hover or
// focus): the time alone today, the day and time this year, else the full
// date; `full` is the long form for the tooltip. In the reader's own locale
// and time zone, so only ever formatted in the browser.

export type MessageTime = { short: string; full: string };

export function messageTime(createdAt: string, now: Date, locale?: string, timeZone?: string): MessageTime | undefined {
  const at = new Date(createdAt);
  if (Number.isNaN(at.getTime())) return undefined;
  const format = (opts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { timeZone, ...opts }).format(at);
  const day = (d: Date) => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
  const time: Intl.DateTimeFormatOptions = { hour: "numeric", minute: "2-digit" };
  const sameDay = day(at) === day(now);
  const sameYear = day(at).slice(0, 4) === day(now).slice(0, 4);
  const short = sameDay ? format(time) : sameYear ? format({ month: "short", day: "numeric", ...time }) : format({ year: "numeric", month: "short", day: "numeric" });
  return { short, full: format({ dateStyle: "full", timeStyle: "short" }) };
}
