// The Content-Security-Policy of pages: built per request around a fresh
// nonce, which Next.js reads from the request's CSP header and puts on every
// script it renders (framework, page chunks, inline RSC payload). Pure except
// for the random nonce; the proxy calls `securePageRequest`. Headers that are
// the same on every response (nosniff, Referrer-Policy, the API's own CSP)
// are static, in next.config.mjs.
export type PageCspOptions = {
  nonce: string;
  /** `next dev`: React needs eval for its debugging aids, and HMR a websocket. */
  dev?: boolean;
  /** Served over HTTPS: ask the browser to upgrade any stray http:// subresource. */
  https?: boolean;
};

/**
 * Each directive, and why:
 *  - default-src 'self': anything not listed below comes from this origin only.
 *  - script-src: only scripts carrying this response's nonce, plus what they
 *    load ('strict-dynamic': Next's runtime adds its chunks as <script>
 *    elements). 'self' is a fallback for browsers without strict-dynamic,
 *    which ignore it otherwise. No 'unsafe-inline', no eval in production.
 *  - style-src-elem 'self' + nonce: the CSS files, and <style> elements Next.js
 *    renders (it puts the nonce on them).
 *  - style-src-attr 'unsafe-inline': style *attributes* are needed (shiki's
 *    token colours in server-rendered code blocks, progress-bar widths). An
 *    attribute can style but never run script.
 *  - style-src 'self' 'unsafe-inline': only for browsers without the -elem /
 *    -attr split (they would otherwise lose the attributes too).
 *  - img-src 'self' data: blob:: our own icon and inline images; model output
 *    cannot make the page fetch remote images (no tracking pixels).
 *  - font-src 'self'; connect-src 'self' (fetch and SSE to our own API only).
 *  - worker-src 'self': the syntax-highlighting Web Worker, a same-origin chunk.
 *  - object-src 'none'; base-uri 'none' (no <base> hijacking of relative URLs);
 *    form-action 'self'; frame-ancestors 'none' (no clickjacking; X-Frame-Options
 *    DENY says the same to old browsers); frame-src 'none'.
 */
export function pageCsp({ nonce, dev = false, https = false }: PageCspOptions): string {
  if (!/^[A-Za-z0-9+/_=-]{16,}$/.test(nonce)) throw new Error("a CSP nonce must be ≥16 base64 characters");
  const n = `'nonce-${nonce}'`;
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    ["script-src", "'self'", n, "'strict-dynamic'", ...(dev ? ["'unsafe-eval'"] : [])],
    ["style-src", "'self'", "'unsafe-inline'"],
    ["style-src-elem", "'self'", n],
    ["style-src-attr", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'", ...(dev ? ["ws:", "wss:"] : [])],
    ["worker-src", "'self'"],
    ["manifest-src", "'self'"],
    ["frame-src", "'none'"],
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["form-action", "'self'"],
    ["frame-ancestors", "'none'"],
  ];
  const policy = directives.map((d) => d.join(" "));
  if (https) policy.push("upgrade-insecure-requests");
  return policy.join("; ");
}

/**
 * Strict-Transport-Security for a response, or null: only on HTTPS responses
 * (browsers ignore it over HTTP) and only when HSTS_MAX_AGE_S asks for it.
 * Off by default: HSTS is the TLS terminator's to send, and a wrong max-age
 * keeps browsers off plain HTTP (and every subdomain) that long.
 */
export function strictTransportSecurity(secure: boolean, maxAgeS: number): string | null {
  return secure && maxAgeS > 0 ? `max-age=${maxAgeS}; includeSubDomains` : null;
}

/** 128 random bits, base64: unguessable, and fresh for every response. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** Reads the nonce back out of a policy (what Next.js does with the request header). */
export function nonceOf(policy: string): string | undefined {
  return /'nonce-([^']+)'/.exec(policy)?.[1];
}

/**
 * For a page request in the proxy: puts a fresh policy on the request headers
 * (so Next.js renders with its nonce; also as `x-nonce` for any own <Script>)
 * and returns it, to be sent as the response's Content-Security-Policy.
 */
export function securePageRequest(req: Request, o: { dev: boolean; https: boolean }): string {
  const nonce = newNonce();
  const policy = pageCsp({ nonce, dev: o.dev, https: o.https });
  req.headers.set("content-security-policy", policy);
  req.headers.set("x-nonce", nonce);
  return policy;
}
