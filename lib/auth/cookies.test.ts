import { describe, expect, it } from "vitest";
import { sentSessionCookie, sessionCookieFrom } from "./cookies";

const from = (...lines: string[]) => {
  const h = new Headers();
  for (const l of lines) h.append("set-cookie", l);
  return h;
};

describe("sessionCookieFrom", () => {
  it("re-serializes the library's session cookie with our attributes", () => {
    const c = sessionCookieFrom(from("tether_session=abc.d%2Be%3D; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"), false)!;
    expect(c.value).toBe("abc.d%2Be%3D");
    expect(c.headers).toEqual([`tether_session=abc.d%2Be%3D; Path=/; Max-Age=${400 * 86400 - 60}; SameSite=Lax; HttpOnly`]);
  });

  it("over HTTPS names it __Host-tether_session (Secure, Path=/, no Domain) and clears the unprefixed one", () => {
    const c = sessionCookieFrom(from("tether_session=abc; Path=/"), true)!;
    expect(c.name).toBe("__Host-tether_session");
    expect(c.headers).toEqual([
      `__Host-tether_session=abc; Path=/; Max-Age=${400 * 86400 - 60}; SameSite=Lax; HttpOnly; Secure`,
      "tether_session=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly; Secure",
    ]);
  });

  it("clears the cookie when the library does, and ignores its other cookies", () => {
    const c = sessionCookieFrom(from("tether_session=; Max-Age=0; Path=/", "better-auth.session_data=; Max-Age=0; Path=/"), false)!;
    expect(c).toEqual({ value: "", name: "tether_session", headers: ["tether_session=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly"] });
    expect(sessionCookieFrom(from("better-auth.dont_remember=; Max-Age=0"), false)).toBeNull();
    expect(sessionCookieFrom(new Headers(), false)).toBeNull();
  });
});

describe("sentSessionCookie", () => {
  const sent = (cookie: string, secure: boolean) => sentSessionCookie(new Headers({ cookie }), secure);

  it("reads the name that fits the request", () => {
    expect(sent("a=1; tether_session=plain", false)).toEqual({ value: "plain", legacy: false });
    expect(sent("__Host-tether_session=prefixed", false)).toBeUndefined(); // plain HTTP: never the __Host- cookie
    expect(sent("__Host-tether_session=prefixed; a=1", true)).toEqual({ value: "prefixed", legacy: false });
  });

  it("over HTTPS takes the unprefixed cookie only when no prefixed one came", () => {
    expect(sent("tether_session=old", true)).toEqual({ value: "old", legacy: true });
    expect(sent("tether_session=planted; __Host-tether_session=real", true)).toEqual({ value: "real", legacy: false });
    expect(sent("tether_session=; __Host-tether_session=", true)).toBeUndefined();
  });
});
