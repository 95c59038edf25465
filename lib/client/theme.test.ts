import { describe, expect, it } from "vitest";
import { parseThemeChoice, themeAttribute } from "./theme";

describe("the theme cookie", () => {
  it("reads light and dark; anything else (none, blank, forged) is the system's", () => {
    expect(parseThemeChoice("light")).toBe("light");
    expect(parseThemeChoice("dark")).toBe("dark");
    for (const other of [undefined, null, "", "system", "DARK", '" onload="x', "dark; x"]) expect(parseThemeChoice(other)).toBe("system");
  });

  it("puts no data-theme on the page for the system's choice, so the media query decides", () => {
    expect(themeAttribute("system")).toBeUndefined();
    expect(themeAttribute("dark")).toBe("dark");
    expect(themeAttribute("light")).toBe("light");
  });
});
