// Stamps each HTTP request with its TCP peer's address (lib/http/client-address.ts
// says why). Installed once per process by instrumentation.ts, before the
// first request reaches a route.
import http from "node:http";
import { PEER_HEADER } from "../http/client-address";
import { onEveryRequest } from "./request-hook";

/** Every request carries PEER_HEADER (any value a client sent is replaced). */
export function stampPeerAddresses(server: typeof http.Server = http.Server): void {
  onEveryRequest("peer-stamp", stamp, server);
}

export function stamp(req: http.IncomingMessage): void {
  req.headers[PEER_HEADER] = req.socket?.remoteAddress ?? "";
}
