// Runs a function on every HTTP request of the process before Next.js sees it:
// the one place this app reaches under `next start` (instrumentation.ts
// installs the hooks once, before the first request).
import http from "node:http";
import { processSingleton } from "./process-global";

type Emit = typeof http.Server.prototype.emit;

/** Patches `server`'s "request" event so `fn` runs first on each request; once per process and `name`. */
export function onEveryRequest(name: string, fn: (req: http.IncomingMessage, res: http.ServerResponse) => void, server: typeof http.Server = http.Server): void {
  processSingleton(`request-hook:${name}:${server.name}`, () => {
    const emit: Emit = server.prototype.emit;
    server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
      if (event === "request") fn(args[0] as http.IncomingMessage, args[1] as http.ServerResponse);
      return Reflect.apply(emit, this, [event, ...args]) as boolean;
    } as Emit;
    return true;
  });
}
