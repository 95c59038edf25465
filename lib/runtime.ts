// The running server's app: built from the process configuration on first
// use and kept in the one guarded global (lib/platform/process-global.ts),
// so Next.js's per-route bundles and development reloads share it. Only the
// edges — route handlers, pages, the proxy, Inngest functions, server
// start — ask for it; everything below receives what it uses.
import { createApp, type App } from "./app";
import { configFromProcess } from "./config";
import { processSingleton, setProcessSingleton } from "./platform/process-global";
import { setLogLevel } from "./platform/log";

export function getApp(): App {
  return processSingleton("app", () => {
    const config = configFromProcess();
    setLogLevel(config.logLevel); // the process's logger: one per process, like the app
    return createApp(config);
  });
}

/** Tests: use this app (undefined: build a new one from the environment on next use). */
export function setApp(app: App | undefined): void {
  setProcessSingleton("app", app);
}
