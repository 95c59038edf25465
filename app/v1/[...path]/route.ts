import { gatewayRoute, unsupported } from "@/lib/http/gateway";

export const dynamic = "force-dynamic";

// Everything else under /v1 (the Files and Models APIs, …): the API's own 404 shape.
const handler = gatewayRoute<{ path: string[] }>(async (req) => unsupported(`${req.method} ${new URL(req.url).pathname}`));
export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
