// Stamps each HTTP request with its TCP peer's address (lib/http/client-address.ts
// says why). Installed once per process by instrumentation.ts, before the
// first request reaches a route.
import http from "node:http";
import { PEER_HEADER } from "../http/client-address";
import { processSingleton } from "./process-global";

type Emit = typeof http.Server.prototype.emit;

/** Patches http.Server so every "request" event carries PEER_HEADER (any value a client sent is replaced). */
export function stampPeerAddresses(server: typeof http.Server = http.Server): void {
  processSingleton(`peer-stamp:${server.name}`, () => {
    const emit: Emit = server.prototype.emit;
    server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
      if (event === "request") stamp(args[0] as http.IncomingMessage);
      return Reflect.apply(emit, this, [event, ...args]) as boolean;
    } as Emit;
    return true;
  });
}

export function stamp(req: http.IncomingMessage): void {
  req.headers[PEER_HEADER] = req.socket?.remoteAddress ?? "";
}
