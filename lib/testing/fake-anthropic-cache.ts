// Prompt caching as the Messages API does it, for the fake server: the
// request is a sequence of blocks (tools, then system, then each message's
// content blocks); a `cache_control` breakpoint on a block marks the prefix
// that ends there. A prefix seen at a breakpoint before (same model, within
// its TTL) is read from the cache, also when it ends up to 20 blocks before
// a breakpoint of this request (the API's look-back); the part after it, up
// to the last breakpoint, is written. As in the API, a change of thinking
// settings or tool_choice invalidates the cached messages (not the tools and
// system before them). Prefixes shorter than the minimum
// cacheable length are neither read nor written. Tokens: characters / 4 of
// each block's JSON (cache_control left out), deterministic.
import { createHash } from "node:crypto";

export type CacheUsage = { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number };
export type FakeCacheOptions = {
  /** Smallest cacheable prefix in tokens (the API's minimum for Sonnet and Opus; Haiku's is larger). Default 1024. */
  minTokens?: number;
  now?: () => number;
};

const LOOK_BACK_BLOCKS = 20;
const MAX_BREAKPOINTS = 4;
const TTL_MS: Record<string, number> = { "5m": 5 * 60_000, "1h": 60 * 60_000 };

type Block = Record<string, unknown>;
type Segment = { json: string; control?: unknown; where: string; type?: unknown; settings?: string };

function segmentsOf(body: Record<string, unknown>): Segment[] {
  const out: Segment[] = [];
  const add = (b: unknown, where: string, wrap: (x: unknown) => unknown = (x) => x) => {
    if (b && typeof b === "object" && !Array.isArray(b)) {
      const { cache_control: control, ...rest } = b as Block;
      out.push({ json: JSON.stringify(wrap(rest)), control, where, type: (b as Block).type });
    } else out.push({ json: JSON.stringify(wrap(b)), where });
  };
  if (Array.isArray(body.tools)) body.tools.forEach((t, i) => add(t, `tools.${i}`));
  if (typeof body.system === "string") add({ type: "text", text: body.system }, "system");
  else if (Array.isArray(body.system)) body.system.forEach((b, i) => add(b, `system.${i}`));
  if (Array.isArray(body.messages)) {
    // Not a block: mixed into the hash where the messages begin, counted as no tokens.
    out.push({ json: "", settings: JSON.stringify([body.thinking ?? null, body.tool_choice ?? null]), where: "messages" });
    body.messages.forEach((m: { role?: string; content?: unknown }, i) => {
      const blocks = typeof m.content === "string" ? [{ type: "text", text: m.content }] : Array.isArray(m.content) ? m.content : [];
      // The role is part of the prefix: the same text as a user or an assistant turn is not the same prompt.
      blocks.forEach((b, j) => add(b, `messages.${i}.content.${j}`, (x) => ({ role: m.role, first: j === 0, block: x })));
    });
  }
  return out;
}

/** The API's 400 message for misplaced or too many breakpoints; undefined when fine. */
export function cacheControlProblem(body: unknown): string | undefined {
  const segments = segmentsOf((body ?? {}) as Record<string, unknown>);
  const marked = segments.filter((s) => s.control !== undefined && s.control !== null);
  for (const s of marked) {
    const c = s.control as { type?: unknown; ttl?: unknown };
    if (typeof c !== "object" || c.type !== "ephemeral") return `${s.where}.cache_control.type: Input should be 'ephemeral'`;
    if (c.ttl !== undefined && !(typeof c.ttl === "string" && c.ttl in TTL_MS)) return `${s.where}.cache_control.ttl: Input should be '5m' or '1h'`;
    if (s.type === "thinking" || s.type === "redacted_thinking") return `${s.where}: cache_control cannot be set on thinking blocks`;
  }
  if (marked.length > MAX_BREAKPOINTS) return `A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${marked.length}.`;
  return undefined;
}

export class FakePromptCache {
  private entries = new Map<string, number>(); // prefix hash → expires at
  private readonly minTokens: number;
  private readonly now: () => number;

  constructor(opts: FakeCacheOptions = {}) {
    this.minTokens = opts.minTokens ?? 1024;
    this.now = opts.now ?? Date.now;
  }

  clear(): void {
    this.entries.clear();
  }

  /** The usage of a (valid) request, reading and writing the cache as the API would. */
  account(body: unknown): CacheUsage {
    const b = (body ?? {}) as Record<string, unknown>;
    const segments = segmentsOf(b);
    let hash = createHash("sha256")
      .update(String(b.model ?? ""))
      .digest("hex");
    let chars = 0;
    const hashes: string[] = [];
    const tokensAt: number[] = [];
    for (const s of segments) {
      hash = createHash("sha256")
        .update(hash)
        .update(s.settings ?? s.json)
        .digest("hex");
      chars += s.json.length;
      hashes.push(hash);
      tokensAt.push(Math.ceil(chars / 4));
    }
    const total = Math.max(1, Math.ceil(chars / 4));
    const now = this.now();
    const breakpoints = segments.flatMap((s, i) => (s.control ? [{ i, ttl: TTL_MS[String((s.control as { ttl?: string }).ttl ?? "5m")] ?? TTL_MS["5m"] }] : []));
    let hit = -1;
    let hitTtl = 0;
    for (const bp of breakpoints) {
      for (let i = bp.i; i >= Math.max(0, bp.i - LOOK_BACK_BLOCKS); i--) {
        const expires = this.entries.get(hashes[i]);
        if (expires !== undefined && expires > now) {
          if (i > hit) [hit, hitTtl] = [i, bp.ttl];
          break;
        }
      }
    }
    const read = hit >= 0 ? tokensAt[hit] : 0;
    if (hit >= 0) this.entries.set(hashes[hit], now + hitTtl); // a hit refreshes the entry
    let written = 0;
    for (const bp of breakpoints) {
      if (bp.i <= hit || tokensAt[bp.i] < this.minTokens) continue;
      this.entries.set(hashes[bp.i], now + bp.ttl);
      written = Math.max(written, tokensAt[bp.i] - read);
    }
    return { input_tokens: total - read - written, cache_creation_input_tokens: written, cache_read_input_tokens: read };
  }
}
