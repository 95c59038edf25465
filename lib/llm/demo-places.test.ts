// The demo model's clock: the zone a question names, by IANA name, city or
// country; a place it does not know is reported, never read as UTC.
import { describe, expect, it } from "vitest";
import { adversarialTexts, ordinaryText, slowdown } from "../testing/linear-time";
import { unknownPlaceNote, zoneAsked } from "./demo-places";

describe("zoneAsked", () => {
  it.each([
    ["What time is it in Tokyo?", { zone: "Asia/Tokyo", place: "Tokyo" }],
    ["what time is it in tokyo", { zone: "Asia/Tokyo", place: "Tokyo" }],
    ["Time in New York right now?", { zone: "America/New_York", place: "New York" }],
    ["what's the time in the UK", { zone: "Europe/London", place: "UK" }],
    ["In São Paulo, what time is it?", { zone: "America/Sao_Paulo", place: "São Paulo" }],
    ["What time is it in Europe/Paris?", { zone: "Europe/Paris", place: "Europe/Paris" }],
    ["What time is it in America/Argentina/Buenos_Aires?", { zone: "America/Argentina/Buenos_Aires", place: "America/Argentina/Buenos_Aires" }],
    ["time in UTC please", { zone: "UTC", place: "UTC" }],
  ])("%s", (question, expected) => {
    expect(zoneAsked(question)).toEqual(expected);
  });

  it("reports a place it cannot put in a zone, from the sentence that asks the time", () => {
    expect(zoneAsked("What time is it in Atlantis?")).toEqual({ unknown: "Atlantis" });
    expect(zoneAsked("What's the time in Santa Teresa Gallura now")).toEqual({ unknown: "Santa Teresa Gallura" });
    // "In French" is another sentence; "in 5 minutes" names no place.
    expect(zoneAsked("What's the time? In French please")).toBeUndefined();
    expect(zoneAsked("what time will it be in 5 minutes")).toBeUndefined();
    expect(zoneAsked("what's the time")).toBeUndefined();
  });

  it("says plainly that it cannot tell, and how to get an answer", () => {
    const note = unknownPlaceNote("Atlantis");
    expect(note).toContain("don't know the time zone of “Atlantis”");
    expect(note).toContain("ANTHROPIC_API_KEY");
  });

  for (const prefix of ["time in ", "what time is it in A"]) {
    it.each(Object.entries(adversarialTexts(prefix)))(`stays linear on 32,000 characters after ${JSON.stringify(prefix)}: %s`, (_name, hostile) => {
      expect(slowdown(zoneAsked, hostile, prefix + ordinaryText(hostile.length - prefix.length))).toBeLessThan(50);
    });
  }
});
