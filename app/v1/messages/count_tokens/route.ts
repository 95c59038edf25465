import { gatewayRoute, unsupported } from "@/lib/http/gateway";

export const dynamic = "force-dynamic";

const handler = gatewayRoute(async () => unsupported("Counting tokens (POST /v1/messages/count_tokens)"));
export { handler as GET, handler as POST };
