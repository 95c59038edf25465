"use client";
// The reply preferences (streaming, auto-resume): saved on the server per
// user, so they follow the user to other tabs and browsers. Each switch shows
// its saved value.
import { useRef, useState } from "react";
import * as api from "@/lib/client/api";
import { SettingsCard, SWITCH } from "./SettingsCard";

type Status = { kind: "idle" } | { kind: "saving" } | { kind: "saved" } | { kind: "error"; message: string };
type Key = "streaming" | "autoResume";

export function SettingsForm({ initialStreaming, initialAutoResume }: { initialStreaming: boolean; initialAutoResume: boolean }) {
  return (
    <SettingsCard id="replies" title="Replies">
      <div className="divide-y divide-zinc-100 dark:divide-zinc-800">
        <SettingSwitch
          name="streaming"
          initial={initialStreaming}
          label="Stream replies"
          help="Show Claude's reply as it is written. When off, the reply appears whole once it is finished."
          saved={(on) => `Saved. Replies will ${on ? "stream as they are written" : "appear when finished"}.`}
          testIds={{ toggle: "streaming-toggle", status: "settings-status" }}
        />
        <SettingSwitch
          name="autoResume"
          initial={initialAutoResume}
          label="Resume replies after a restart"
          help="When the server restarts or crashes in the middle of a reply, it continues the reply by itself from what was saved. When off, such a reply waits for you to press Continue."
          saved={(on) => `Saved. Replies cut short by a restart will ${on ? "continue by themselves" : "wait for Continue"}.`}
          testIds={{ toggle: "auto-resume-toggle", status: "auto-resume-status" }}
        />
      </div>
    </SettingsCard>
  );
}

type SwitchProps = { name: Key; initial: boolean; label: string; help: string; saved: (on: boolean) => string; testIds: { toggle: string; status: string } };

function SettingSwitch({ name, initial, label, help, saved: savedText, testIds }: SwitchProps) {
  const [on, setOn] = useState(initial);
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  // Saves run one after another and only the latest answer counts, so quick
  // toggling ends on the last choice. (The switch is never disabled: that
  // would drop keyboard focus.)
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const latest = useRef(0);
  const saved = useRef(initial);
  const id = `${testIds.toggle}-input`;

  const change = (next: boolean) => {
    const ticket = ++latest.current;
    setOn(next);
    setStatus({ kind: "saving" });
    queue.current = queue.current.then(async () => {
      try {
        const answer = await api.updateSettings({ [name]: next });
        saved.current = answer[name];
        if (ticket !== latest.current) return;
        setOn(answer[name]);
        setStatus({ kind: "saved" });
      } catch (e) {
        if (ticket !== latest.current) return;
        setOn(saved.current);
        setStatus({ kind: "error", message: api.describeError(e) });
      }
    });
  };

  return (
    <div>
      <div className="flex items-start justify-between gap-4 px-4 py-4">
        <div>
          <label htmlFor={id} className="font-medium">
            {label}
          </label>
          <p id={`${id}-help`} className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
            {help}
          </p>
        </div>
        <input
          id={id}
          type="checkbox"
          role="switch"
          data-testid={testIds.toggle}
          aria-describedby={`${id}-help`}
          aria-busy={status.kind === "saving" || undefined}
          checked={on}
          onChange={(e) => change(e.target.checked)}
          className={SWITCH}
        />
      </div>
      <p role="status" data-testid={testIds.status} className="px-4 pb-3 text-sm empty:pb-0">
        {status.kind === "saving" && <span className="text-zinc-600 dark:text-zinc-400">Saving…</span>}
        {status.kind === "saved" && <span className="text-emerald-700 dark:text-emerald-400">{savedText(on)}</span>}
        {status.kind === "error" && <span className="text-red-700 dark:text-red-400">Could not save: {status.message}</span>}
      </p>
    </div>
  );
}
