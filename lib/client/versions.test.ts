import { describe, expect, it } from "vitest";
import { neighbourVersion, versionLabel, withNewVersion } from "./versions";

const v = (index: number, ids: string[]) => ({ index, count: ids.length, ids });

describe("neighbourVersion", () => {
  it("steps to the older and newer sibling, and stops at both ends", () => {
    expect(neighbourVersion(v(1, ["a", "b", "c"]), -1)).toBe("a");
    expect(neighbourVersion(v(1, ["a", "b", "c"]), 1)).toBe("c");
    expect(neighbourVersion(v(0, ["a", "b"]), -1)).toBeUndefined();
    expect(neighbourVersion(v(1, ["a", "b"]), 1)).toBeUndefined();
  });

  it("has nothing to offer without versions", () => {
    expect(neighbourVersion(undefined, 1)).toBeUndefined();
  });
});

describe("withNewVersion", () => {
  it("turns a single message into version 2/2 of two", () => {
    expect(withNewVersion("a", undefined, "n")).toEqual({ index: 1, count: 2, ids: ["a", "n"] });
  });

  it("appends to existing versions, whichever one was shown", () => {
    expect(withNewVersion("a", v(0, ["a", "b"]), "n")).toEqual({ index: 2, count: 3, ids: ["a", "b", "n"] });
  });

  it("does not count the new id twice", () => {
    expect(withNewVersion("a", v(1, ["a", "n"]), "n")).toEqual({ index: 1, count: 2, ids: ["a", "n"] });
  });
});

it("labels versions 1-based", () => {
  expect(versionLabel(v(0, ["a", "b", "c"]))).toBe("1/3");
  expect(versionLabel(v(2, ["a", "b", "c"]))).toBe("3/3");
});
