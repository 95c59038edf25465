// Server start: builds the app from the environment (a bad variable stops the
// server here, naming it), opens the database it owns (applying pending
// migrations) and sweeps replies a previous process left generating.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { getApp } = await import("./lib/runtime");
  const { startServer } = await import("./lib/platform/server-start");
  await startServer(getApp());
}
