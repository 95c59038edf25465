import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { checkedBody, shownUserText, storedBody, type GatewayBody } from "./request";
import { historyHash } from "./thread";

const body = (messages: GatewayBody["messages"]): GatewayBody => ({ model: "m", max_tokens: 10, messages });

describe("checkedBody", () => {
  it("keeps the client's object and its key order (zod would put known keys first)", () => {
    const data = { messages: [{ content: "hi", role: "user" }], zeta: { b: 1, a: 2 }, max_tokens: 5, model: "m" };
    const checked = checkedBody(data);
    expect(checked).toBe(data);
    expect(storedBody(checked)).toBe('{"messages":[{"content":"hi","role":"user"}],"zeta":{"b":1,"a":2},"max_tokens":5,"model":"m"}');
  });

  it("refuses what is not a Messages API body with the field named", () => {
    for (const bad of [null, [], {}, { model: "m", max_tokens: 0, messages: [] }, { model: "", max_tokens: 5, messages: [{ role: "user", content: "x" }] }]) {
      expect(() => checkedBody(bad)).toThrow(AppError);
    }
    expect(() => checkedBody({ model: "m", max_tokens: 5, messages: [{ role: "user", content: [{ text: "no type" }] }] })).toThrow(/messages\.0\.content/);
  });
});

describe("shownUserText", () => {
  it("shows the last user message: its text, tool results shortened, other blocks by type", () => {
    expect(
      shownUserText(
        body([
          { role: "user", content: "first" },
          { role: "assistant", content: "a" },
          { role: "user", content: "last" },
        ]),
      ),
    ).toBe("last");
    const long = "x".repeat(2_500);
    const shown = shownUserText(
      body([
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "t1", content: "18°C" },
            { type: "tool_result", tool_use_id: "t2", content: [{ type: "text", text: long }], is_error: true },
            { type: "image", source: {} },
            { type: "text", text: "what now?" },
          ],
        },
      ]),
    );
    expect(shown).toBe(`Tool result: 18°C\n\nTool error: ${"x".repeat(2_000)}…\n\n[image]\n\nwhat now?`);
  });
});

describe("historyHash", () => {
  const a = [{ role: "user", content: "hello" }];
  it("reads the same content the same however it is spelled", () => {
    expect(historyHash([{ role: "user", content: [{ type: "text", text: "hello", cache_control: { type: "ephemeral" } }] }])).toBe(historyHash(a));
    expect(
      historyHash([
        { role: "user", content: "hel" },
        { role: "user", content: "lo" },
      ]),
    ).not.toBe(historyHash(a));
    const call = (input: object) => [...a, { role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input }] }];
    expect(historyHash(call({ x: 1, y: 2 }))).toBe(historyHash(call({ y: 2, x: 1 })));
    expect(historyHash(call({ x: 1 }))).not.toBe(historyHash(call({ x: 2 })));
  });

  it("joins neighbouring turns of one role, as the API reads them", () => {
    const split = [
      { role: "user", content: "one" },
      { role: "user", content: [{ type: "image", source: { data: "A" } }] },
    ];
    const joined = [
      {
        role: "user",
        content: [
          { type: "text", text: "one" },
          { type: "image", source: { data: "A" } },
        ],
      },
    ];
    expect(historyHash(split)).toBe(historyHash(joined));
    expect(historyHash(a)).not.toBe(historyHash([{ role: "assistant", content: "hello" }]));
  });
});
