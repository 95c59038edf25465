import { describe, expect, it } from "vitest";
import { calculateTool, evaluateExpression, MAX_EXPRESSION_CHARS } from "./calculate";
import { ToolRegistry } from "./registry";
import type { ToolContext } from "./types";

const ctx = (progress: ToolContext["progress"] = () => {}): ToolContext => ({
  userId: "00000000-0000-0000-0000-000000000001",
  db: undefined as never,
  signal: new AbortController().signal,
  progress,
});

describe("calculate", () => {
  it.each([
    ["2 + 3 * 4", "14"],
    ["12.5 * (3 + 4)^2", "612.5"],
    ["sqrt(2) / 2", "0.70710678118655"],
    ["sin(30 deg)", "0.5"],
    ["5 cm to inch", "1.9685039370079 inch"],
    ["mean(3, 4, 8)", "5"],
    ["10!", "3628800"],
    ["x = 4; x^2 + 1", "17"],
    ["x = 4\nx^2", "4; 16"],
    ["2^60", "1.1529215046068e+18"],
    ["round(pi, 5)", "3.14159"],
    ["sqrt(-4)", "2i"],
    ["1 / 0", "Infinity"],
  ])("evaluates %s = %s", (expression, result) => {
    expect(evaluateExpression(expression)).toBe(result);
  });

  it.each([
    ["import({evil: 1}, {override: true})", /not available|disabled/],
    ["createUnit('foo')", /not available|disabled/],
    ["config({number: 'BigNumber'})", /not available|disabled/],
    ["evaluate('1+1')", /not available|disabled/],
    ["parse('1+1')", /not available|disabled/],
    ["compile('1')", /not available|disabled/],
    ["simplify('x+x')", /not available|disabled/],
    ["combinations(1e9, 5e8)", /not available/], // 40 s of CPU if allowed
    ["f = combinations; f(1e9, 5e8)", /not available/],
    ["f(n) = n < 1 ? 0 : f(n - 1) + f(n - 1); f(40)", /defining functions/],
    ["1:1e9", /ranges/],
    ["[1, 2, 3]", /matrices/],
    ["pow([[1,1],[1,0]], 1e9)", /matrices/],
    ["zeros(1e9)", /not available/],
    ["bignumber(2)^1e7", /not available/],
    ["{a: 1}.a", /objects|property/],
    ["cos.constructor", /property access/],
    ["(function(){ return process })()", /parse/i],
    ["require('fs')", /not available|Undefined function/],
    ["1 +", /parse/i],
    ["foo + 1", /Undefined symbol/],
    ["sqrt", /function, not a value/],
  ])("rejects %s", (expression, why) => {
    expect(() => evaluateExpression(expression)).toThrow(why);
  });

  it("rejects over-long and empty expressions", () => {
    expect(() => evaluateExpression("1+".repeat(MAX_EXPRESSION_CHARS) + "1")).toThrow(/longer than/);
    expect(() => evaluateExpression("   ")).toThrow(/empty/);
  });

  it("keeps working after an attempt to reconfigure it", () => {
    expect(() => evaluateExpression("config({number: 'BigNumber'})")).toThrow();
    expect(evaluateExpression("0.1 + 0.2")).toBe("0.3");
    expect(evaluateExpression("2^0.5")).toBe("1.4142135623731");
  });

  it("as a tool: reports progress and returns the result; errors become error results", async () => {
    const progress: [string, number | undefined][] = [];
    const out = await calculateTool.execute(
      { expression: "6 * 7" },
      ctx((m, p) => progress.push([m, p])),
    );
    expect(out).toEqual({ expression: "6 * 7", result: "42" });
    expect(progress.at(-1)).toEqual(["Done", 100]);

    const registry = new ToolRegistry([calculateTool]);
    const bad = await registry.run({ id: "t1", name: "calculate", input: { expression: "import('x')" } }, ctx());
    expect(bad).toMatchObject({ status: "done", isError: true, content: expect.stringMatching(/not available|disabled/) });
    const noInput = await registry.run({ id: "t2", name: "calculate", input: { expr: "1" } }, ctx());
    expect(noInput).toMatchObject({ status: "done", isError: true, content: expect.stringContaining("Invalid input for calculate") });
  });
});
