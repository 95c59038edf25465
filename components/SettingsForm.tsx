"use client";
// The streaming preference: saved on the server per user, so it follows the
// user to other tabs and browsers. The switch shows the saved value.
import { useRef, useState } from "react";
import * as api from "@/lib/client/api";
import { SettingsCard, SWITCH } from "./SettingsCard";

type Status = { kind: "idle" } | { kind: "saving" } | { kind: "saved" } | { kind: "error"; message: string };

export function SettingsForm({ initialStreaming }: { initialStreaming: boolean }) {
  const [streaming, setStreaming] = useState(initialStreaming);
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  // Saves run one after another and only the latest answer counts, so quick
  // toggling ends on the last choice. (The switch is never disabled: that
  // would drop keyboard focus.)
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const latest = useRef(0);
  const saved = useRef(initialStreaming);

  const change = (next: boolean) => {
    const ticket = ++latest.current;
    setStreaming(next);
    setStatus({ kind: "saving" });
    queue.current = queue.current.then(async () => {
      try {
        const answer = await api.updateSettings(next);
        saved.current = answer.streaming;
        if (ticket !== latest.current) return;
        setStreaming(answer.streaming);
        setStatus({ kind: "saved" });
      } catch (e) {
        if (ticket !== latest.current) return;
        setStreaming(saved.current);
        setStatus({ kind: "error", message: api.describeError(e) });
      }
    });
  };

  return (
    <SettingsCard id="replies" title="Replies">
      <div className="flex items-start justify-between gap-4 px-4 py-4">
        <div>
          <label htmlFor="streaming-toggle" className="font-medium">
            Stream replies
          </label>
          <p id="streaming-help" className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
            Show Claude&apos;s reply as it is written. When off, the reply appears whole once it is finished.
          </p>
        </div>
        <input
          id="streaming-toggle"
          type="checkbox"
          role="switch"
          data-testid="streaming-toggle"
          aria-describedby="streaming-help"
          aria-busy={status.kind === "saving" || undefined}
          checked={streaming}
          onChange={(e) => change(e.target.checked)}
          className={SWITCH}
        />
      </div>
      <p role="status" data-testid="settings-status" className="min-h-9 px-4 pb-3 text-sm">
        {status.kind === "saving" && <span className="text-zinc-600 dark:text-zinc-400">Saving…</span>}
        {status.kind === "saved" && (
          <span className="text-emerald-700 dark:text-emerald-400">Saved. Replies will {streaming ? "stream as they are written" : "appear when finished"}.</span>
        )}
        {status.kind === "error" && <span className="text-red-700 dark:text-red-400">Could not save: {status.message}</span>}
      </p>
    </SettingsCard>
  );
}
