// One card of the settings page: a titled box (the page's sections share it).
import type { ReactNode } from "react";

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
