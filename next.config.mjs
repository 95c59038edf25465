/** Sent with every response, pages, API and static files alike. */
export const SECURITY_HEADERS = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" }, // frame-ancestors 'none' for browsers without CSP 2
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
];
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Loaded from node_modules at run time, not bundled: PGlite and Prisma's
  // schema engine read their .wasm/.data files from their package folders.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@prisma/schema-engine-wasm", "@prisma/driver-adapter-utils", "@prisma/adapter-pg", "pg"],
  poweredByHeader: false,
  // A page's <title> in its <head> for every client, not streamed after the
  // body: a conversation's title comes from the same read as its messages
  // (app/c/[id]/page.tsx), so waiting for it costs nothing, and a page is
  // never seen, by a screen reader or a tab strip, without its title.
  htmlLimitedBots: /.*/,
  // A failed RSC request (refresh, link) waits for the server and retries
  // instead of a full page load onto the browser's error page (lib/client/connection.ts).
  experimental: { useOffline: true },
  // Security headers that are the same on every response. Pages get their
  // per-request Content-Security-Policy (with a nonce) from proxy.ts via
  // lib/http/security-headers.ts; API answers (JSON, SSE) are never rendered
  // as documents, so theirs allows nothing at all.
  async headers() {
    return [
      { source: "/:path*", headers: SECURITY_HEADERS },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CSP }] },
    ];
  },
  // Lets a benchmark or a second checkout build beside the usual .next.
  distDir: process.env.NEXT_DIST_DIR || ".next",
};

export default nextConfig;
