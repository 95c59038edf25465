// Server start: the process that owns the database opens it (applying pending
// migrations) and sweeps replies a previous process left generating.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startServer } = await import("./lib/platform/server-start");
  await startServer();
}
