import { describe, expect, it } from "vitest";
import { newNonce, nonceOf, pageCsp, securePageRequest } from "./security-headers";

/** directive name → its sources */
function parse(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...src]) => [name, src]),
  );
}

describe("page CSP", () => {
  const nonce = newNonce();
  const csp = parse(pageCsp({ nonce }));

  it("allows scripts by this response's nonce only (no inline, no eval, no hosts)", () => {
    expect(csp.get("script-src")).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    for (const src of csp.get("script-src")!) expect(src).not.toMatch(/unsafe|https?:|\*/);
  });

  it("locks down everything that is not needed", () => {
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("frame-src")).toEqual(["'none'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("worker-src")).toEqual(["'self'"]);
    expect(csp.get("img-src")).toEqual(["'self'", "data:", "blob:"]);
    expect(csp.get("style-src-elem")).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(csp.get("style-src-attr")).toEqual(["'unsafe-inline'"]);
    expect(csp.has("upgrade-insecure-requests")).toBe(false);
  });

  it("adds eval and the HMR websocket only in development, the upgrade only over HTTPS", () => {
    const dev = parse(pageCsp({ nonce, dev: true }));
    expect(dev.get("script-src")).toContain("'unsafe-eval'");
    expect(dev.get("connect-src")).toEqual(["'self'", "ws:", "wss:"]);
    expect(parse(pageCsp({ nonce, https: true })).has("upgrade-insecure-requests")).toBe(true);
  });

  it("refuses a nonce that could break out of the header or be guessed", () => {
    expect(() => pageCsp({ nonce: "short" })).toThrow();
    expect(() => pageCsp({ nonce: "abcdefghijklmnop'; script-src *" })).toThrow();
  });

  it("makes a fresh, 128-bit nonce every time", () => {
    const many = new Set(Array.from({ length: 200 }, newNonce));
    expect(many.size).toBe(200);
    for (const n of many) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });
});

describe("securePageRequest", () => {
  it("puts the policy and its nonce on the request, for Next.js to render with", () => {
    const req = new Request("http://localhost/c/1", { headers: { cookie: "a=b" } });
    const policy = securePageRequest(req, { dev: false, https: false });
    expect(req.headers.get("content-security-policy")).toBe(policy);
    expect(req.headers.get("x-nonce")).toBe(nonceOf(policy));
    expect(req.headers.get("cookie")).toBe("a=b");
    expect(policy).not.toContain("upgrade-insecure-requests");
    const again = securePageRequest(new Request("http://localhost/"), { dev: false, https: false });
    expect(nonceOf(again)).not.toBe(nonceOf(policy));
  });

  it("asks for upgrades over HTTPS", () => {
    expect(securePageRequest(new Request("http://internal/"), { dev: false, https: true })).toContain("upgrade-insecure-requests");
  });
});

type Header = { key: string; value: string };
type NextConfigModule = {
  default: { headers(): Promise<{ source: string; headers: Header[] }[]> };
  SECURITY_HEADERS: Header[];
  API_CSP: string;
};

describe("static headers (next.config.mjs)", () => {
  it("sends nosniff, a referrer policy and no framing on every path, and a deny-all CSP on the API", async () => {
    const configUrl = new URL("../../next.config.mjs", import.meta.url).href;
    const { default: nextConfig, SECURITY_HEADERS, API_CSP } = (await import(configUrl)) as NextConfigModule;
    const rules = await nextConfig.headers();
    const all = rules.find((r) => r.source === "/:path*");
    expect(all?.headers).toBe(SECURITY_HEADERS);
    const byKey = Object.fromEntries(SECURITY_HEADERS.map((h) => [h.key, h.value]));
    expect(byKey["X-Content-Type-Options"]).toBe("nosniff");
    expect(byKey["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
    expect(byKey["X-Frame-Options"]).toBe("DENY");
    const api = rules.find((r) => r.source === "/api/:path*");
    expect(api?.headers).toEqual([{ key: "Content-Security-Policy", value: API_CSP }]);
    expect(parse(API_CSP).get("default-src")).toEqual(["'none'"]);
    expect(parse(API_CSP).get("frame-ancestors")).toEqual(["'none'"]);
  });
});
