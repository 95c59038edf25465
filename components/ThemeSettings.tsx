"use client";
// Settings → Appearance: System / Light / Dark, a segmented control (one
// radio group: arrow keys move between the three). Applied at once and kept
// for this browser (lib/client/theme.ts).
import { useState } from "react";
import { applyThemeChoice, type ThemeChoice } from "@/lib/client/theme";
import { SettingsCard } from "./SettingsCard";

const OPTIONS: { value: ThemeChoice; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

export function ThemeSettings({ initialTheme }: { initialTheme: ThemeChoice }) {
  const [theme, setTheme] = useState(initialTheme);
  const choose = (next: ThemeChoice) => {
    setTheme(next);
    applyThemeChoice(next);
  };
  return (
    <SettingsCard id="appearance" title="Appearance" testId="appearance-settings">
      <div className="flex flex-wrap items-center justify-between gap-3 px-4 py-4">
        <div>
          <p id="theme-label" className="font-medium">
            Theme
          </p>
          <p id="theme-help" className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
            System follows your device&apos;s setting. Kept in this browser.
          </p>
        </div>
        <div role="radiogroup" aria-labelledby="theme-label" aria-describedby="theme-help" className="inline-flex rounded-lg bg-zinc-100 p-1 dark:bg-zinc-800">
          {OPTIONS.map((o) => (
            <label
              key={o.value}
              className="relative rounded-md px-3 py-1 text-sm font-medium text-zinc-600 has-checked:bg-white has-checked:text-zinc-900 has-checked:shadow-sm has-focus-visible:outline-2 has-focus-visible:outline-offset-2 has-focus-visible:outline-clay-500 dark:text-zinc-300 dark:has-checked:bg-zinc-950 dark:has-checked:text-zinc-100"
            >
              <input
                type="radio"
                name="theme"
                value={o.value}
                data-testid={`theme-${o.value}`}
                checked={theme === o.value}
                onChange={() => choose(o.value)}
                className="sr-only"
              />
              {o.label}
            </label>
          ))}
        </div>
      </div>
    </SettingsCard>
  );
}
