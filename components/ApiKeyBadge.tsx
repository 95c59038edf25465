// How a conversation started through the gateway (docs/GATEWAY.md) is told
// apart: a small "API" mark in its sidebar row, naming the key on hover and to
// screen readers, and a line above its messages.

export function ApiKeyBadge({ name }: { name: string }) {
  const label = `Started with the API key “${name}”`;
  return (
    <span
      data-testid="api-key-badge"
      title={label}
      className="shrink-0 rounded border border-zinc-300 px-1 text-[10px] leading-4 font-semibold tracking-wide text-zinc-500 dark:border-zinc-700 dark:text-zinc-400"
    >
      <span aria-hidden>API</span>
      <span className="sr-only">{label}</span>
    </span>
  );
}

export function ApiKeyNote({ name }: { name: string }) {
  return (
    <p data-testid="api-key-note" className="rounded-lg bg-zinc-100 px-3 py-2 text-xs text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
      Started through the API with the key <span className="font-medium text-zinc-800 dark:text-zinc-200">“{name}”</span>. The request&apos;s last message is shown; its
      earlier turns, system prompt and tools went to Claude as sent. A message you send here continues from what is shown.
    </p>
  );
}
