import { describe, expect, it } from "vitest";
import { sessionCookieFrom } from "./cookies";

const from = (...lines: string[]) => {
  const h = new Headers();
  for (const l of lines) h.append("set-cookie", l);
  return h;
};

describe("sessionCookieFrom", () => {
  it("re-serializes the library's session cookie with our attributes", () => {
    const c = sessionCookieFrom(from("tether_session=abc.d%2Be%3D; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"), false)!;
    expect(c.value).toBe("abc.d%2Be%3D");
    expect(c.header).toBe(`tether_session=abc.d%2Be%3D; Path=/; Max-Age=${400 * 86400 - 60}; SameSite=Lax; HttpOnly`);
    expect(sessionCookieFrom(from("tether_session=abc; Path=/"), true)!.header).toMatch(/; HttpOnly; Secure$/);
  });

  it("clears the cookie when the library does, and ignores its other cookies", () => {
    const c = sessionCookieFrom(from("tether_session=; Max-Age=0; Path=/", "better-auth.session_data=; Max-Age=0; Path=/"), false)!;
    expect(c).toEqual({ value: "", header: "tether_session=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly" });
    expect(sessionCookieFrom(from("better-auth.dont_remember=; Max-Age=0"), false)).toBeNull();
    expect(sessionCookieFrom(new Headers(), false)).toBeNull();
  });
});
