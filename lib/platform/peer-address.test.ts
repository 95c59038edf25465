import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { PEER_HEADER } from "../http/client-address";
import { stampPeerAddresses } from "./peer-address";

// A subclass, so the patch does not touch the http.Server other tests use.
class Server extends http.Server {}
stampPeerAddresses(Server);

describe("stampPeerAddresses", () => {
  const server = new Server((req, res) => res.end(String(req.headers[PEER_HEADER])));
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("replaces whatever peer address a client claims with the socket's", async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { [PEER_HEADER]: "203.0.113.66" } });
    expect(await res.text()).toBe("127.0.0.1");
  });
});
