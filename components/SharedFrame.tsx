// The frame of a shared link's page (/s/:token): the brand and a way to start
// one's own chat, around the conversation or a notice. Plain links, never
// Next.js prefetching ones: a prefetch of the app would make the viewer a
// guest session they did not ask for (proxy.ts).
import type { ReactNode } from "react";

const startLink =
  "rounded-lg bg-clay-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-clay-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-600";

export function SharedFrame({ children }: { children: ReactNode }) {
  return (
    <div className="flex h-dvh flex-col">
      <header className="flex shrink-0 items-center justify-between gap-3 border-b border-zinc-200 px-4 py-2.5 sm:px-6 dark:border-zinc-800">
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- a full load: the app's own layout and a session come with it */}
        <a href="/" className="text-lg font-semibold tracking-tight">
          Tether
        </a>
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- as above */}
        <a href="/" data-testid="shared-start" className={startLink}>
          Start your own chat
        </a>
      </header>
      <main id="main" className="flex min-h-0 flex-1 flex-col">
        {children}
      </main>
    </div>
  );
}

/** A shared page that cannot show its conversation: gone, mistyped, or asked for too often. */
export function SharedNotice({ title, detail }: { title: string; detail: string }) {
  return (
    <div data-testid="not-found" className="flex flex-1 flex-col items-center justify-center gap-3 px-6 py-24 text-center">
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      <p className="max-w-md text-zinc-600 dark:text-zinc-400">{detail}</p>
    </div>
  );
}
