// Checks that a function stays linear on hostile text, without a wall-clock
// limit (docs/TESTING.md: never assert on time): the cost of a 32,000-character
// adversarial string is compared with the cost of ordinary text of the same
// length, each the minimum of several runs, and the test allows a generous
// ratio. A quadratic pattern is thousands of times slower at that length; a
// busy machine moves the ratio by a few times at most.

export const ADVERSARIAL_LENGTH = 32_000;

const fill = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

/** Ordinary prose of `length` characters: words, punctuation, sentences, paragraphs. */
export function ordinaryText(length = ADVERSARIAL_LENGTH): string {
  const sentence = "Could you explain how the tides work, and why are there two of them each day? I live by the sea. ";
  return fill(sentence + sentence + "\n\n", length);
}

/**
 * Strings of about `length` characters built to make a backtracking pattern
 * retry from every position: long runs (spaces, commas, line breaks, `*`,
 * `#`, backticks, `a`, unicode spaces and letters) with a suffix that makes
 * the match fail at the end, each behind `prefix` (e.g. "search for ").
 */
export function adversarialTexts(prefix = "", length = ADVERSARIAL_LENGTH): Record<string, string> {
  const runs: Record<string, [string, string]> = {
    spaces: [" ", "x"],
    "spaces, then a carriage return": [" ", "\ry"],
    tabs: ["\t", "x"],
    commas: [",", "x"],
    periods: [".", "x"],
    newlines: ["\n", "x"],
    "mixed spaces and line breaks": [" \r\n", "x"],
    stars: ["*", "x"],
    hashes: ["#", "x"],
    backticks: ["`", "x"],
    "a-run": ["a", "!"],
    "open parentheses": ["(", "x"],
    "digits and spaces": ["1 ", "x"],
    quotes: ['"', "x"],
    "ideographic spaces": ["\u3000", "\u2028x"],
    "unicode letters": ["é🙂", "?"],
  };
  // "a" first: a run right after the prefix could be taken whole by the prefix's own pattern.
  return Object.fromEntries(Object.entries(runs).map(([name, [unit, suffix]]) => [name, `${prefix}a${fill(unit, length - prefix.length - suffix.length - 1)}${suffix}`]));
}

/** The least time of `reps` runs of `run`, in ms. */
function leastTime(run: () => void, reps: number, enough = 0): number {
  let least = Infinity;
  for (let r = 0; r < reps && least > enough; r++) {
    const t = performance.now();
    run();
    least = Math.min(least, performance.now() - t);
  }
  return least;
}

/**
 * How many times longer `f` takes on `make(32,000)` than on `make(2,000)`:
 * about 16 for linear work, 256 for quadratic. For functions whose work on
 * ordinary text is next to nothing (a trim stops at the first kept character).
 */
export function growth(f: (text: string) => unknown, make: (length: number) => string, reps = 7): number {
  return slowdown(f, make(ADVERSARIAL_LENGTH), make(ADVERSARIAL_LENGTH / 16), reps);
}

/**
 * How many times longer `f` takes on `hostile` than on `ordinary` (minimum of
 * several runs each). Each run repeats `f` enough times for ordinary text to
 * take a few milliseconds, so timer resolution does not matter. A busy
 * machine can slow every run of one measurement (the ordinary text measured
 * in a quiet moment, the hostile one in a busy one): up to three
 * measurements, the least counts. Work that is really super-linear is
 * hundreds of times slower in each of them.
 */
export function slowdown(f: (text: string) => unknown, hostile: string, ordinary: string, reps = 7): number {
  let least = Infinity;
  for (let attempt = 0; attempt < 3 && least >= 16; attempt++) least = Math.min(least, measureSlowdown(f, hostile, ordinary, reps));
  return least;
}

function measureSlowdown(f: (text: string) => unknown, hostile: string, ordinary: string, reps: number): number {
  let times = 1;
  const batch = (text: string) => () => {
    for (let i = 0; i < times; i++) f(text);
  };
  while (times < 4096 && leastTime(batch(ordinary), 1) < 8) times *= 2;
  const base = leastTime(batch(ordinary), reps) / times;
  // Calls far off the scale answer at once (a broken pattern takes seconds per
  // call); two in a row, so one pause of a busy machine cannot fail a test.
  const once = leastTime(() => f(hostile), 1);
  if (once > base * 1000 && leastTime(() => f(hostile), 1) > base * 1000) return once / base;
  // A hostile run already within 5× of ordinary text needs no more tries.
  if (once >= 1) return leastTime(() => f(hostile), reps, base * 5) / base;
  return leastTime(batch(hostile), reps, base * times * 5) / times / base;
}
