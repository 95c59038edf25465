// Inngest calls this endpoint to sync and to run Tether's jobs (scaled mode).
// Without INNGEST_SIGNING_KEY (or INNGEST_DEV=1) the SDK answers 500
// (docs/DEPLOY.md#inngest says what it accepts).
// Importing it opens nothing: the handler is built from the app's
// configuration on the first request, and the functions reach the database
// only when they run.
import { serve } from "inngest/next";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/functions";
import type { Config } from "@/lib/config";
import { getApp } from "@/lib/runtime";

export const dynamic = "force-dynamic";

type Handlers = ReturnType<typeof serve>;
const built = new WeakMap<Config, Handlers>();

function handlers(): Handlers {
  const { config } = getApp();
  let h = built.get(config);
  if (!h) {
    h = serve({
      client: inngest,
      functions,
      // Registration reports this URL, never one made from the request's Host
      // (a forged Host would register the app under the attacker's URL).
      serveOrigin: config.inngest.serveOrigin,
      servePath: "/api/inngest",
      // Production mode: a sync (PUT) or introspection (GET) without a valid
      // signature is refused (401), like an execution. Dev mode checks no
      // signature at all, which is why lib/config.ts refuses it in production.
      enableUnauthedSync: false,
    });
    built.set(config, h);
  }
  return h;
}

type Args = Parameters<Handlers["GET"]>;
export const GET = (...args: Args) => handlers().GET(...args);
export const POST = (...args: Args) => handlers().POST(...args);
export const PUT = (...args: Args) => handlers().PUT(...args);
