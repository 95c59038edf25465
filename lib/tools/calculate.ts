// calculate: evaluates a math expression with mathjs — never JavaScript's
// eval. Following mathjs's security notes, the functions that could change
// the instance or parse code (import, createUnit, config, evaluate, parse,
// simplify, …) are disabled. mathjs's own parser is safe against code
// execution but not against work: `combinations(1e9, 5e8)` takes 40 s and a
// recursive function definition can run for ever, so the expression tree is
// checked first: only scalar maths from an allow-list, no function
// definitions, matrices or ranges, and a length cap.
import { all, create, type MathNode } from "mathjs";
import { z } from "zod";
import { defineTool, ToolError } from "./types";

export const MAX_EXPRESSION_CHARS = 500;

type MathJs = ReturnType<typeof create>;
let instance: { math: MathJs; parse: MathJs["parse"] } | undefined;

/** One locked-down mathjs instance, made on first use (not at server start). */
function mathjs() {
  if (instance) return instance;
  const math = create(all, { number: "number" });
  // Captured before the public names are disabled.
  const parse = math.parse;
  math.import(
    Object.fromEntries(
      [
        "import",
        "createUnit",
        "config",
        "evaluate",
        "parse",
        "compile",
        "simplify",
        "simplifyConstant",
        "simplifyCore",
        "derivative",
        "resolve",
        "rationalize",
        "reviver",
        "replacer",
        "chain",
        "parser",
        "help",
      ].map((n) => [n, disabled(n)]),
    ),
    { override: true },
  );
  return (instance = { math, parse });
}

const ALLOWED_FUNCTIONS = new Set(
  (
    "add subtract multiply divide unaryMinus unaryPlus pow mod abs sqrt cbrt exp expm1 log log10 log2 log1p nthRoot " +
    "square cube sign round floor ceil fix gcd lcm hypot factorial " +
    "sin cos tan sec csc cot asin acos atan atan2 sinh cosh tanh asinh acosh atanh " +
    "min max mean median sum prod std variance re im conj arg to number " +
    "equal unequal smaller larger smallerEq largerEq compare and or not xor"
  ).split(" "),
);

const REJECTED_NODES: Record<string, string> = {
  FunctionAssignmentNode: "defining functions",
  ArrayNode: "matrices and lists",
  RangeNode: "ranges",
  ObjectNode: "objects",
  AccessorNode: "property access",
  IndexNode: "indexing",
};

function disabled(name: string) {
  return () => {
    throw new ToolError(`${name} is disabled in this calculator.`);
  };
}
/** Throws a ToolError unless the expression tree uses only what is allowed. */
function check(math: MathJs, node: MathNode): void {
  node.traverse((n) => {
    const why = REJECTED_NODES[n.type];
    if (why) throw new ToolError(`The calculator does not support ${why}.`);
    if (n.type === "SymbolNode") {
      const name = (n as unknown as { name: string }).name;
      const value = (math as unknown as Record<string, unknown>)[name];
      if (typeof value === "function" && !ALLOWED_FUNCTIONS.has(name)) {
        throw new ToolError(`The function "${name}" is not available in this calculator.`);
      }
    }
  });
}

/** Evaluates `expression`; returns the result as text (14 significant digits). */
export function evaluateExpression(expression: string): string {
  const { math, parse } = mathjs();
  const source = expression.trim();
  if (!source) throw new ToolError("The expression is empty.");
  if (Array.from(source).length > MAX_EXPRESSION_CHARS) {
    throw new ToolError(`The expression is longer than ${MAX_EXPRESSION_CHARS} characters.`);
  }
  let node: MathNode;
  try {
    node = parse(source);
  } catch (e) {
    throw new ToolError(`Could not parse the expression: ${(e as Error).message}`);
  }
  check(math, node);
  let value: unknown;
  try {
    value = node.compile().evaluate(new Map());
  } catch (e) {
    if (e instanceof ToolError) throw e;
    throw new ToolError(`Could not evaluate the expression: ${(e as Error).message}`);
  }
  const values = isResultSet(value) ? value.entries : [value];
  if (values.some((v) => typeof v === "function")) throw new ToolError("The expression evaluates to a function, not a value.");
  return values.map((v) => math.format(v, { precision: 14, lowerExp: -9, upperExp: 15 })).join("; ");
}

function isResultSet(v: unknown): v is { entries: unknown[] } {
  return typeof v === "object" && v !== null && (v as { isResultSet?: boolean }).isResultSet === true;
}

export const calculateTool = defineTool({
  name: "calculate",
  description:
    "Evaluate a math expression exactly, e.g. `12.5 * (3 + 4)^2`, `sqrt(2) / 3`, `sin(30 deg)`, `5 cm to inch`, `mean(3, 4, 8)`. " +
    "Supports + - * / ^ % !, parentheses, common functions (sqrt, log, exp, trig, round, min, max, mean, …), constants (pi, e) and unit conversion. " +
    "Use it for any arithmetic instead of computing in your head.",
  input: z.object({
    expression: z.string().min(1).max(MAX_EXPRESSION_CHARS).describe("The expression in mathjs syntax"),
  }),
  timeoutMs: 2_000,
  async execute({ expression }, ctx) {
    ctx.progress("Evaluating the expression…", 0);
    const result = evaluateExpression(expression);
    ctx.progress("Done", 100);
    return { expression, result };
  },
});
