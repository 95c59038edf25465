import Link from "next/link";

/** A 404 page's body: what is missing, and the way back home. */
export function NotFoundNotice({ title, detail }: { title: string; detail: string }) {
  return (
    <div data-testid="not-found" className="flex flex-1 flex-col items-center justify-center gap-3 px-6 py-24 text-center">
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      <p className="text-zinc-600 dark:text-zinc-400">{detail}</p>
      <Link
        href="/"
        className="rounded-lg bg-clay-600 px-4 py-2 text-sm font-medium text-white hover:bg-clay-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-600"
      >
        Back to your chats
      </Link>
    </div>
  );
}
