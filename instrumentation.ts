// Server start: builds the app from the environment — a variable it cannot
// use stops the server here, naming it — then opens the database it owns
// (applying pending migrations) and sweeps replies a previous process left
// generating.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { ConfigError } = await import("./lib/config");
  const { getApp } = await import("./lib/runtime");
  const { startServer } = await import("./lib/platform/server-start");
  const { stampPeerAddresses } = await import("./lib/platform/peer-address");
  const { onEveryRequest } = await import("./lib/platform/request-hook");
  const { gzipEventStream } = await import("./lib/http/sse-gzip");
  stampPeerAddresses(); // before any request: per-address limits need the TCP peer
  let app;
  try {
    app = getApp();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`Tether cannot start. ${e.message}\nSee the configuration table in README.md.`);
    process.exit(1);
  }
  // Next.js cannot send a route's Content-Encoding: streams are gzipped below it (lib/http/sse-gzip.ts).
  if (app.config.http.gzipStreams) onEveryRequest("sse-gzip", gzipEventStream);
  await startServer(app);
}
