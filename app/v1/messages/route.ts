import { readJson } from "@/lib/http/api";
import { gatewayRoute, requireKey } from "@/lib/http/gateway";
import { deliverGatewayReply } from "@/lib/http/gateway-deliver";
import { admitGatewayRequest } from "@/lib/gateway/admission";
import { checkedBody } from "@/lib/gateway/request";
import { z } from "zod";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

// The Anthropic Messages API, served through Tether's reply pipeline (docs/GATEWAY.md).
export const POST = gatewayRoute(async (req) => {
  const { app, db, caller } = await requireKey(req);
  const body = checkedBody(await readJson(req, z.unknown(), app.config.http.gatewayMaxBodyBytes));
  if (!body.messages.some((m) => m.role === "user")) throw new AppError("invalid_input", "messages: at least one message must have the user role");
  const started = await admitGatewayRequest(await app.admission(), caller, body);
  return deliverGatewayReply(req, app, db, started, { streaming: body.stream === true, model: body.model });
});
