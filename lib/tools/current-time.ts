// current_time: the date and time now in an IANA time zone (default UTC),
// validated by Intl itself so any zone the runtime knows is accepted.
import { z } from "zod";
import { defineTool, ToolError } from "./types";

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** What the tool reports for `date` in `timeZone` (pure, for tests). */
export function describeTime(date: Date, timeZone: string) {
  if (!isTimeZone(timeZone)) throw new ToolError(`Unknown time zone "${timeZone}". Use an IANA name such as "Europe/Paris" or "UTC".`);
  const get = (opts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat("en-US", { timeZone, ...opts }).format(date);
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(date);
  const p = (type: string) => parts.find((x) => x.type === type)?.value ?? "";
  const offset = get({ timeZoneName: "longOffset" }).split(" ").pop() ?? "GMT";
  return {
    timeZone, // as asked: Intl may resolve it to a legacy alias (Asia/Kolkata → Asia/Calcutta)
    date: `${p("year")}-${p("month")}-${p("day")}`,
    time: `${p("hour")}:${p("minute")}:${p("second")}`,
    weekday: get({ weekday: "long" }),
    utcOffset: offset === "GMT" ? "+00:00" : offset.replace("GMT", ""),
    iso: date.toISOString(),
  };
}

export function currentTimeTool(now: () => Date = () => new Date()) {
  return defineTool({
    name: "current_time",
    description: 'Get the current date and time. Optionally pass an IANA time zone such as "Europe/Paris" or "America/New_York"; the default is UTC.',
    input: z.object({
      timezone: z.string().max(64).optional().describe("IANA time zone name; default UTC"),
    }),
    timeoutMs: 2_000,
    async execute({ timezone }, ctx) {
      ctx.progress("Reading the clock…");
      return describeTime(now(), timezone?.trim() || "UTC");
    },
  });
}
