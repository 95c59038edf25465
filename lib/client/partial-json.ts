// Pretty-prints JSON text that may still be arriving (a tool's input streams
// in as fragments): the same layout as JSON.stringify(value, null, 2), built
// token by token, so the text only ever grows at its end while it streams
// and does not jump when the last fragment lands.

/** Two-space indented JSON, for complete or truncated JSON text. Text that is not JSON comes back as it is. */
export function formatJsonText(raw: string): string {
  let out = "";
  let depth = 0;
  let inString = false;
  let escaped = false;
  // An opened container whose first member has not shown up yet: a newline is owed.
  let pendingBreak = false;
  const indent = () => "\n" + "  ".repeat(depth);

  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      out += c;
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === " " || c === "\n" || c === "\r" || c === "\t") continue;
    if (c === "}" || c === "]") {
      if (depth === 0) return raw; // unbalanced: not JSON
      depth--;
      if (pendingBreak)
        pendingBreak = false; // empty: {} or []
      else out += indent();
      out += c;
      continue;
    }
    if (pendingBreak) {
      out += indent();
      pendingBreak = false;
    }
    if (c === "{" || c === "[") {
      out += c;
      depth++;
      pendingBreak = true;
    } else if (c === ",") {
      out += c;
      pendingBreak = true;
    } else if (c === ":") {
      out += ": ";
    } else {
      if (c === '"') inString = true;
      out += c;
    }
  }
  return out;
}

/** A tool input as shown: pretty JSON of the final value (or of the text received so far). */
export function formatToolInput(input: unknown, partial?: string): string {
  if (partial !== undefined) return formatJsonText(partial);
  if (input === undefined) return "";
  try {
    return JSON.stringify(input, null, 2) ?? String(input);
  } catch {
    return String(input);
  }
}

/** A tool result's text, pretty-printed when it is a JSON object or array. */
export function formatToolResult(content: string): string {
  const t = content.trim();
  if (!(t.startsWith("{") && t.endsWith("}")) && !(t.startsWith("[") && t.endsWith("]"))) return content;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return content;
  }
}
