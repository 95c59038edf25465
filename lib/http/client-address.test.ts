import { describe, expect, it } from "vitest";
import { clientAddress, PEER_HEADER, requestHost, requestIsHttps } from "./client-address";

const h = (o: Record<string, string>) => new Headers(o);

describe("clientAddress", () => {
  it("with no trusted proxy, is the stamped TCP peer and ignores X-Forwarded-For", () => {
    expect(clientAddress(h({ [PEER_HEADER]: "203.0.113.9", "x-forwarded-for": "1.2.3.4" }), 0)).toBe("203.0.113.9");
    expect(clientAddress(h({ "x-forwarded-for": "1.2.3.4" }), 0)).toBe("unknown");
  });

  it("behind N proxies, is the entry the outermost trusted proxy appended; what the client wrote before it is ignored", () => {
    const headers = h({ [PEER_HEADER]: "10.0.0.2", "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.0.0.1" });
    expect(clientAddress(headers, 2)).toBe("198.51.100.7");
    expect(clientAddress(headers, 1)).toBe("10.0.0.1");
    // Fewer entries than proxies: the first is the best there is.
    expect(clientAddress(h({ "x-forwarded-for": "198.51.100.7" }), 3)).toBe("198.51.100.7");
    // A proxy that set nothing: the peer.
    expect(clientAddress(h({ [PEER_HEADER]: "10.0.0.2" }), 1)).toBe("10.0.0.2");
  });

  it("spells one address one way", () => {
    expect(clientAddress(h({ [PEER_HEADER]: "::FFFF:203.0.113.9" }), 0)).toBe("203.0.113.9");
    expect(clientAddress(h({ [PEER_HEADER]: "2001:DB8::1" }), 0)).toBe("2001:db8::1");
    expect(clientAddress(h({ [PEER_HEADER]: "x".repeat(500) }), 0)).toHaveLength(64);
  });
});

describe("requestHost", () => {
  it("trusts X-Forwarded-Host only behind a trusted proxy", () => {
    const req = new Request("http://internal:3000/api/x", { headers: { host: "app.example", "x-forwarded-host": "evil.example" } });
    expect(requestHost(req, 0)).toBe("app.example");
    expect(requestHost(req, 1)).toBe("evil.example");
  });
});

describe("requestIsHttps", () => {
  const req = (proto?: string, url = "http://internal/") => new Request(url, { headers: proto ? { "x-forwarded-proto": proto } : {} });

  it("never without a trusted proxy: X-Forwarded-Proto (and the URL Next.js builds from it) may come from anyone", () => {
    expect(requestIsHttps(req("https"), 0)).toBe(false);
    expect(requestIsHttps(req(undefined, "https://internal/"), 0)).toBe(false);
  });

  it("behind N proxies, reads the entry the outermost trusted proxy wrote", () => {
    expect(requestIsHttps(req("https"), 1)).toBe(true);
    expect(requestIsHttps(req("HTTPS"), 1)).toBe(true);
    expect(requestIsHttps(req("http"), 1)).toBe(false);
    expect(requestIsHttps(req("https, http"), 1)).toBe(false);
    expect(requestIsHttps(req("https, http"), 2)).toBe(true);
    expect(requestIsHttps(req("https"), 3)).toBe(true); // fewer entries than proxies (each overwrote it)
    expect(requestIsHttps(req(undefined, "https://internal/"), 1)).toBe(true);
    expect(requestIsHttps(req(undefined), 1)).toBe(false);
  });
});
