import Link from "next/link";

export default function NotFound() {
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-3 px-6 py-24 text-center">
      <h1 className="text-2xl font-semibold tracking-tight">Not found</h1>
      <p className="text-zinc-500 dark:text-zinc-400">This conversation does not exist, or it was deleted.</p>
      <Link href="/" className="rounded-lg bg-clay-600 px-4 py-2 text-sm font-medium text-white hover:bg-clay-700">
        Back to your chats
      </Link>
    </div>
  );
}
