// The connection's state machine against a real HTTP server that goes away
// and comes back on the same port, as a restarted app server does.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { backoffMs, ConnectionMonitor, healthAnswers } from "./connection";
import { isHeldBack } from "./connection-guard";

const servers: Server[] = [];
const monitors: ConnectionMonitor[] = [];

async function healthServer(port = 0, status = 200): Promise<Server> {
  const server = createServer((_, res) => {
    res.statusCode = status;
    res.end("{}");
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}
const stop = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

afterEach(async () => {
  monitors.splice(0).forEach((m) => m.dispose());
  await Promise.all(
    servers
      .splice(0)
      .filter((s) => s.listening)
      .map(stop),
  );
});

function monitorOf(url: string) {
  const asked = { count: 0 };
  const monitor = new ConnectionMonitor(
    () => (asked.count++, healthAnswers(url)),
    () => 20,
  );
  monitors.push(monitor);
  const seen: string[] = [];
  monitor.subscribe(() => seen.push(monitor.getState()));
  return { monitor, seen, asked };
}

describe("connection", () => {
  it("backs off from half a second, doubling, to at most eight", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(backoffMs)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it("goes unreachable when the server stops, retries by itself and recovers when it is back on the same port", async () => {
    const server = await healthServer();
    const { port } = server.address() as AddressInfo;
    const { monitor, seen, asked } = monitorOf(`http://127.0.0.1:${port}/api/health`);
    expect(await monitor.probe()).toBe(true);
    expect(monitor.getState()).toBe("online");

    await stop(server);
    expect(await monitor.probe()).toBe(false);
    expect(monitor.getState()).toBe("unreachable");
    let back = false;
    const waited = monitor.whenReachable().then(() => (back = true));
    const before = asked.count;
    await expect.poll(() => asked.count).toBeGreaterThan(before + 2); // retries, and they fail
    expect(back).toBe(false);
    expect(monitor.getState()).toBe("unreachable");

    await healthServer(port);
    await waited; // nobody probed: the retries found it
    expect(monitor.getState()).toBe("online");
    expect(seen).toEqual(["unreachable", "online"]);
  });

  it("takes a draining server (503) as unreachable, and a request that got an answer as reachable", async () => {
    const server = await healthServer(0, 503);
    const { monitor } = monitorOf(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/health`);
    expect(await monitor.probe()).toBe(false);
    expect(monitor.getState()).toBe("unreachable");
    monitor.reachable();
    expect(monitor.getState()).toBe("online");
    await expect(monitor.whenReachable()).resolves.toBeUndefined();
  });

  it("asks one question at a time", async () => {
    const server = await healthServer();
    let asked = 0;
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const monitor = new ConnectionMonitor(() => (asked++, healthAnswers(url)));
    await Promise.all([monitor.probe(), monitor.probe(), monitor.probe()]);
    expect(asked).toBe(1);
  });
});

describe("the page-load guard", () => {
  const origin = "http://127.0.0.1:3000";
  const load = { cancelable: true, navigationType: "push" as const, destination: { url: `${origin}/c/1`, sameDocument: false }, downloadRequest: null, formData: null };

  it("holds back a same-origin page load (Next.js's fallback, location.assign)", () => {
    expect(isHeldBack(load, origin)).toBe(true);
    expect(isHeldBack({ ...load, navigationType: "replace" }, origin)).toBe(true);
  });

  it("lets through what is not one: in-page, other sites, downloads, forms, reloads and history, the uncancellable", () => {
    expect(isHeldBack({ ...load, destination: { ...load.destination, sameDocument: true } }, origin)).toBe(false);
    expect(isHeldBack({ ...load, destination: { url: "https://example.com/", sameDocument: false } }, origin)).toBe(false);
    expect(isHeldBack({ ...load, downloadRequest: "chat.md" }, origin)).toBe(false);
    expect(isHeldBack({ ...load, formData: new FormData() }, origin)).toBe(false);
    expect(isHeldBack({ ...load, navigationType: "reload" }, origin)).toBe(false);
    expect(isHeldBack({ ...load, navigationType: "traverse" }, origin)).toBe(false);
    expect(isHeldBack({ ...load, cancelable: false }, origin)).toBe(false);
  });
});
