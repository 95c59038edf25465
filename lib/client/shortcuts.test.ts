import { describe, expect, it } from "vitest";
import { isApplePlatform, shortcutLabel, shortcutOf } from "./shortcuts";

const key = (key: string, patch: Partial<Parameters<typeof shortcutOf>[0]> = {}) =>
  shortcutOf({ key, code: "", ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, isComposing: false, defaultPrevented: false, ...patch });

describe("shortcutOf", () => {
  it("Ctrl+K and Cmd+K focus search", () => {
    expect(key("k", { ctrlKey: true })).toBe("focus-search");
    expect(key("k", { metaKey: true })).toBe("focus-search");
    expect(key("л", { ctrlKey: true, code: "KeyK" })).toBe("focus-search"); // a Cyrillic layout
  });

  it("Ctrl+Shift+O and Cmd+Shift+O open a new chat", () => {
    expect(key("O", { ctrlKey: true, shiftKey: true })).toBe("new-chat");
    expect(key("o", { metaKey: true, shiftKey: true, code: "KeyO" })).toBe("new-chat");
  });

  it("Esc alone stops the reply", () => {
    expect(key("Escape")).toBe("stop-reply");
    expect(key("Escape", { shiftKey: true })).toBeNull();
  });

  it("ignores plain letters, other combinations, handled keys and IME composition", () => {
    expect(key("k")).toBeNull();
    expect(key("o", { ctrlKey: true })).toBeNull();
    expect(key("k", { ctrlKey: true, shiftKey: true })).toBeNull();
    expect(key("k", { ctrlKey: true, altKey: true })).toBeNull();
    expect(key("k", { ctrlKey: true, metaKey: true })).toBeNull();
    expect(key("Escape", { defaultPrevented: true })).toBeNull();
    expect(key("Escape", { isComposing: true })).toBeNull();
  });
});

it("labels shortcuts per platform", () => {
  expect(shortcutLabel("focus-search", true)).toBe("⌘K");
  expect(shortcutLabel("focus-search", false)).toBe("Ctrl K");
  expect(shortcutLabel("new-chat", false)).toBe("Ctrl Shift O");
  expect(isApplePlatform({ platform: "MacIntel" })).toBe(true);
  expect(isApplePlatform({ platform: "Linux x86_64" })).toBe(false);
  expect(isApplePlatform(undefined)).toBe(false);
});
