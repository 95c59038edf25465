// The demo model's canned replies: realistic markdown (headings, lists, a
// table, TypeScript and Python code, non-ASCII text), picked deterministically
// from the question so the same question always gets the same reply, each
// saying plainly that it is a sample, not an answer.
import { trimCharsEnd } from "../chat/plain-text";

/** A short, single-line topic taken from the question, for "You asked about …". */
export function topicOf(question: string): string {
  // A scan, not /[?!.…:;,]+$/: that pattern is quadratic on a long run of commas.
  const flat = trimCharsEnd(question.replace(/\s+/g, " ").trim(), "?!.…:;,");
  if (!flat) return "something";
  const cps = Array.from(flat);
  if (cps.length <= 60) return flat;
  const cut = cps.slice(0, 60).join("");
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), 30)).trimEnd()}…`;
}

type Template = (topic: string) => string;

const TEMPLATES: Template[] = [
  (t) => `## ${cap(t)}: a quick overview

You asked about **${t}**. Here is a generic approach, step by step.

1. Start from a small, concrete example.
2. Measure before optimizing — *not after*.
3. Keep the failure cases in view: timeouts, retries, partial results.

| Aspect | Option A | Option B |
|---|---|---|
| Latency | low ⚡ | moderate |
| Complexity | moderate | low |
| Résumé-friendly | ✅ | ✅ |

A minimal TypeScript sketch:

\`\`\`ts
type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export async function attempt<T>(fn: () => Promise<T>, tries = 3): Promise<Result<T>> {
  for (let i = 0; i < tries; i++) {
    try {
      return { ok: true, value: await fn() };
    } catch (e) {
      if (i === tries - 1) return { ok: false, error: String(e) };
    }
  }
  return { ok: false, error: "unreachable" };
}
\`\`\`

And the same idea in Python:

\`\`\`python
def attempt(fn, tries=3):
    for i in range(tries):
        try:
            return fn()
        except Exception as e:  # noqa: BLE001
            if i == tries - 1:
                raise
\`\`\`

### Takeaways
- Prefer boring, observable solutions.
- Write the test first; it is cheaper than the incident. 🙂
`,
  (t) => `# Notes on ${t}

Good question — you asked about *${t}*. Let me break it down.

## Key ideas
- **Definition.** Say precisely what problem is being solved.
- **Trade-offs.** Every choice costs something: memory, time, or clarity.
- **Naïve first.** A simple baseline makes later gains measurable.

## Comparison

| Approach | When it shines | Watch out for |
|---|---|---|
| Iterative | small inputs | off-by-one errors |
| Recursive | tree-shaped data | stack depth |
| Streaming | large or live data | back-pressure |

## In code

\`\`\`python
from collections import Counter

def top_words(text: str, n: int = 3) -> list[tuple[str, int]]:
    words = text.lower().split()
    return Counter(words).most_common(n)

print(top_words("the cat and the hat and the bat"))
\`\`\`

\`\`\`ts
function topWords(text: string, n = 3): [string, number][] {
  const counts = new Map<string, number>();
  for (const w of text.toLowerCase().split(/\\s+/)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n);
}
\`\`\`

> Tip: 小さく始めて、よく測る — start small, measure often.

That should give you a solid footing. Want me to go deeper on any part?
`,
  (t) => `You asked about ${t} — here's a sample of practical advice.

### Short version
It depends on scale, but a few habits hold almost everywhere:

- Keep state in one place.
- Make every step **idempotent** so it can be retried.
- Log what you decided, not only what failed.

### Checklist

| # | Step | Status |
|---|---|---|
| 1 | Reproduce the problem | ✔︎ |
| 2 | Write a failing test | ✔︎ |
| 3 | Fix, then refactor | ⏳ |

### Example

\`\`\`typescript
interface Job { id: string; attempts: number }

export function shouldRetry(job: Job, max = 5): boolean {
  // Exponential backoff is handled by the scheduler.
  return job.attempts < max;
}
\`\`\`

\`\`\`python
import time

def backoff(attempt: int, base: float = 0.25) -> float:
    """Seconds to wait before the given retry attempt."""
    return min(base * 2 ** attempt, 8.0)

for a in range(4):
    print(a, backoff(a))
\`\`\`

#### Further reading
1. *Designing Data-Intensive Applications* — the chapter on stream processing.
2. Your own incident reports: the best teacher. 📚 Ça vaut le coup !
`,
  (t) => `## Thinking through ${t}

You asked about \`${t.replace(/`/g, "'")}\`. I'll answer in three parts: the model, an example, and pitfalls.

### 1. The model
A system is easier to reason about when each part has **one job**:

- an *input* that can be validated,
- a *transformation* that can be tested,
- an *output* that can be observed.

### 2. An example

\`\`\`ts
const celsius = [-40, 0, 37, 100];
const table = celsius.map((c) => ({ c, f: (c * 9) / 5 + 32 }));
console.table(table);
\`\`\`

\`\`\`py
celsius = [-40, 0, 37, 100]
for c in celsius:
    print(f"{c:>5} °C = {c * 9 / 5 + 32:>6.1f} °F")
\`\`\`

| °C | °F |
|---:|---:|
| -40 | -40 |
| 0 | 32 |
| 37 | 98.6 |
| 100 | 212 |

### 3. Pitfalls
- Unit confusion (°C vs °F, ms vs s).
- Hidden global state.
- Assuming text is ASCII: 你好, naïve, and 👩‍💻 are all valid input.

Hope that helps!
`,
];

/** How many different replies the demo model has for one question. */
export const DEMO_VARIANTS = TEMPLATES.length;

/**
 * Said in every canned reply, right after its opening line: a sample reply
 * must never pass for an answer (README, "Quick start": the demo model).
 */
export const DEMO_NOTICE =
  "*I'm Tether's demo model: I can't really answer this, so what follows is a canned sample reply. To talk to Claude, set `ANTHROPIC_API_KEY` and restart the server.*";

/** The full reply the demo model gives to this question (`variant` > 0: when asked again, e.g. Regenerate). */
export function demoReply(question: string, variant = 0): string {
  const topic = topicOf(question);
  const text = TEMPLATES[(hash(question) + variant) % TEMPLATES.length](topic);
  // After the opening line, which differs between templates: a cut-off
  // reply's first characters still tell which one it was (demo-turn.ts).
  const cut = text.indexOf("\n\n");
  return `${text.slice(0, cut)}\n\n${DEMO_NOTICE}${text.slice(cut)}`;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
