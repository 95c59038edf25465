// Who is calling, as far as the server can trust it (docs/SECURITY.md).
// Without a reverse proxy the only trustworthy address is the TCP peer's,
// which Next.js does not hand to route handlers: the server stamps it on
// every request as PEER_HEADER (lib/platform/peer-address.ts), overwriting
// anything a client sent under that name. Behind TRUSTED_PROXY_HOPS proxies
// that each append to X-Forwarded-For, the client is the entry the outermost
// trusted proxy added; entries before it are whatever the client wrote.
export const PEER_HEADER = "x-tether-peer";

/** What every per-address limit and every stored address uses. "unknown" when nothing trustworthy is known. */
export function clientAddress(headers: Headers, trustedHops: number): string {
  if (trustedHops > 0) {
    const hops = (headers.get("x-forwarded-for") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (hops.length) return normalizeAddress(hops[Math.max(0, hops.length - trustedHops)]);
  }
  const peer = headers.get(PEER_HEADER)?.trim();
  return peer ? normalizeAddress(peer) : "unknown";
}

/** The host the browser addressed: X-Forwarded-Host only when a trusted proxy set it. */
export function requestHost(req: Request, trustedHops: number): string {
  const forwarded = trustedHops > 0 ? req.headers.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  return forwarded || req.headers.get("host") || new URL(req.url).host;
}

/**
 * Whether the browser reached us over HTTPS. `next start` serves plain HTTP
 * and fills in X-Forwarded-Proto itself only when the request has none, so
 * the header is all there is, and only a trusted proxy's entry counts (the
 * same position as in X-Forwarded-For). Without a trusted proxy: never.
 */
export function requestIsHttps(req: Pick<Request, "headers"> & { url?: string }, trustedHops: number): boolean {
  if (trustedHops <= 0) return false;
  const protos = (req.headers.get("x-forwarded-proto") ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (!protos.length) return req.url ? new URL(req.url).protocol === "https:" : false;
  return protos[Math.max(0, protos.length - trustedHops)] === "https";
}

/** One spelling per address: IPv4-mapped IPv6 as IPv4, lower case, at most 64 characters. */
function normalizeAddress(a: string): string {
  const lower = a.toLowerCase().slice(0, 64);
  return lower.startsWith("::ffff:") && lower.includes(".") ? lower.slice(7) : lower;
}
