// The new chat's suggestions (components/EmptyChat.tsx): one shows thinking,
// one tools, one code, one a table. Each also starts the matching scenario of
// the demo model (lib/llm/demo-turn.ts: "think" asks for thinking,
// "calculate …" and "the time in Area/City" for tools), so they show the same
// things without an API key (suggestions.test.ts).

export type Suggestion = { id: string; title: string; prompt: string };

export const SUGGESTIONS: Suggestion[] = [
  {
    id: "think",
    title: "Think it through",
    prompt: "How many seconds are in a leap year? Think it through, then calculate 366 * 24 * 60 * 60.",
  },
  { id: "tools", title: "Use two tools", prompt: "Calculate 17 * 23 and tell me the current time in Asia/Tokyo." },
  { id: "code", title: "Write code", prompt: "Write a TypeScript function that retries a flaky async call with exponential backoff." },
  { id: "table", title: "Compare in a table", prompt: "Compare recursion and iteration in a table, with a short Python example." },
];
