// One card of the settings page: a titled box (the page's sections share it),
// and the look of their on/off switches.
import type { ReactNode } from "react";

/** A checkbox with role="switch", drawn as a sliding switch. */
export const SWITCH =
  "relative mt-0.5 h-6 w-11 shrink-0 cursor-pointer appearance-none rounded-full bg-zinc-300 transition-colors duration-150 before:absolute before:top-0.5 before:left-0.5 before:h-5 before:w-5 before:rounded-full before:bg-white before:shadow before:transition-transform before:duration-150 checked:bg-clay-600 checked:before:translate-x-5 disabled:cursor-not-allowed disabled:opacity-50 dark:bg-zinc-700 dark:checked:bg-clay-600";

export function SettingsCard({ id, title, testId, children }: { id: string; title: ReactNode; testId?: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`} data-testid={testId} className="mt-6 rounded-xl border border-zinc-200 dark:border-zinc-800">
      <h2 id={`${id}-heading`} className="border-b border-zinc-200 px-4 py-3 text-sm font-medium text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
        {title}
      </h2>
      {children}
    </section>
  );
}
