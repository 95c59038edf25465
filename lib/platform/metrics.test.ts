// The scrape guard reads an Authorization header anyone can send: it accepts
// exactly "Bearer <token>" and stays linear on hostile headers.
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { adversarialTexts, ordinaryText, slowdown } from "../testing/linear-time";
import { authorizeScrape } from "./metrics";

const TOKEN = "metrics-token-0123456789";
const verdict = (header: string | null) => {
  try {
    authorizeScrape(header, TOKEN);
    return "ok";
  } catch (e) {
    return e instanceof AppError ? e.code : "crash";
  }
};

describe("authorizeScrape", () => {
  it("accepts Bearer <token> only", () => {
    expect(verdict(`Bearer ${TOKEN}`)).toBe("ok");
    expect(verdict(`bearer   ${TOKEN}  `)).toBe("ok");
    expect(verdict(`Bearer\t${TOKEN}`)).toBe("ok");
    expect(verdict(`Bearer${TOKEN}`)).toBe("unauthorized");
    expect(verdict("Bearer ")).toBe("unauthorized");
    expect(verdict(TOKEN)).toBe("unauthorized");
    expect(verdict(null)).toBe("unauthorized");
    expect(() => authorizeScrape(`Bearer ${TOKEN}`, undefined)).toThrow(AppError);
  });

  it.each(Object.entries(adversarialTexts("Bearer ")))("stays linear on a 32,000-character header: %s", (_name, hostile) => {
    expect(slowdown(verdict, hostile, `Bearer ${ordinaryText(hostile.length - 7)}`)).toBeLessThan(50);
  });
});
