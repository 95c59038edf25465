import { describe, expect, it } from "vitest";
import { messageTime } from "./message-time";

const now = new Date("2026-12-05T21:30:00Z");
const at = (iso: string, timeZone = "UTC") => messageTime(iso, now, "en-US", timeZone);

describe("messageTime", () => {
  it("shows the time alone today, the day and time this year, the date in an earlier year", () => {
    expect(at("2026-12-05T09:05:00Z")?.short).toBe("9:05 AM");
    expect(at("2026-11-28T17:40:00Z")?.short).toBe("Nov 28, 5:40 PM");
    expect(at("2025-12-31T23:00:00Z")?.short).toBe("Dec 31, 2025");
  });

  it("gives the full date and time for the tooltip", () => {
    expect(at("2026-12-05T09:05:00Z")?.full).toBe("Saturday, December 5, 2026 at 9:05 AM");
  });

  it("counts days in the reader's time zone", () => {
    // 21:30 UTC is already the 6th in Tokyo; 09:05 UTC on the 5th is not today there.
    expect(at("2026-12-05T09:05:00Z", "Asia/Tokyo")?.short).toBe("Dec 5, 6:05 PM");
  });

  it("shows nothing for a date it cannot read", () => {
    expect(at("not a date")).toBeUndefined();
  });
});
