// The built server, over real TCP: the client address is the TCP peer, which
// the server stamps itself (docs/SECURITY.md), so no header a client writes
// lets it escape a per-address limit; behind a trusted proxy the address is
// the one the proxy appended.
import { expect, test } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startApp } from "./support";

const newGuest = (url: string, headers: Record<string, string>) => fetch(`${url}/api/auth/guest`, { method: "POST", headers });

test("forged forwarding headers do not escape the new-guest limit; a trusted proxy's address does count", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "tether-address-"));
  const app = await startApp(await freePort(), { DATA_DIR: dataDir, LLM_PROVIDER: "demo", GUEST_RATE_LIMIT: "2" });
  try {
    const forged = (n: number) => ({ "x-forwarded-for": `198.51.100.${n}`, "x-real-ip": `198.51.100.${n}`, "x-tether-peer": `203.0.113.${n}` });
    expect((await newGuest(app.url, forged(1))).status).toBe(201);
    expect((await newGuest(app.url, forged(2))).status).toBe(201);
    const third = await newGuest(app.url, forged(3));
    expect(third.status).toBe(429);
    expect((await third.json()).error.code).toBe("rate_limited");
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
  } finally {
    await app.kill();
  }

  // One trusted proxy: each appended address has its own budget; what the client wrote before it is ignored.
  const proxied = await startApp(await freePort(), { DATA_DIR: dataDir, LLM_PROVIDER: "demo", GUEST_RATE_LIMIT: "1", TRUSTED_PROXY_HOPS: "1" });
  try {
    expect((await newGuest(proxied.url, { "x-forwarded-for": "6.6.6.6, 192.0.2.10" })).status).toBe(201);
    expect((await newGuest(proxied.url, { "x-forwarded-for": "7.7.7.7, 192.0.2.10" })).status).toBe(429);
    expect((await newGuest(proxied.url, { "x-forwarded-for": "192.0.2.11" })).status).toBe(201);
  } finally {
    await proxied.kill();
  }
});
