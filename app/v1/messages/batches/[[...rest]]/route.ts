import { gatewayRoute, unsupported } from "@/lib/http/gateway";

export const dynamic = "force-dynamic";

const handler = gatewayRoute<{ rest?: string[] }>(async () => unsupported("The Message Batches API (/v1/messages/batches)"));
export { handler as GET, handler as POST, handler as DELETE };
