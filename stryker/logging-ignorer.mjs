// A Stryker ignorer (stryker.config.mjs): mutants inside a call to the logger
// (`log.warn(…)`, `log.error(…)`: its message text, its fields) are reported
// as ignored, not as survivors. What a log line says is not a guarantee any
// caller or client can observe (docs/TESTING.md, "Mutation tests"); whether
// it is called at all still is, so the call's surroundings (an `if`, an
// arrow function around it, the listener it sits in) are still mutated.
import { PluginKind, declareValuePlugin } from "@stryker-mutator/api/plugin";

const LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal"]);

/** A `log.<level>(…)` call (babel's NodePath). */
function isLogCall(path) {
  if (!path.isCallExpression()) return false;
  const callee = path.node.callee;
  return (
    callee.type === "MemberExpression" &&
    callee.object.type === "Identifier" &&
    callee.object.name === "log" &&
    callee.property.type === "Identifier" &&
    LEVELS.has(callee.property.name)
  );
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, "logging", {
    shouldIgnore: (path) => (isLogCall(path) ? "A log line's text and fields: no caller or client can observe them." : undefined),
  }),
];
