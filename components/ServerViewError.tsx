"use client";
// What a page shows when its server view failed to render: most often a
// response cut short by a server that died mid-answer (a crash, a deploy),
// which Next.js raises as a render error instead of the page. The page tries
// again by itself once the server answers a probe (lib/client/connection.ts),
// a few times; a view that keeps failing (a bug, not an outage) waits for the
// user's Try again.
import { useEffect, useState } from "react";
import { connection } from "@/lib/client/connection";
import { useReachability } from "./useReachability";

/** Automatic tries within a minute before the page waits for the user. */
const AUTO_TRIES = 3;
const tried: number[] = [];

function mayTryAgain(now: number): boolean {
  while (tried.length && now - tried[0] > 60_000) tried.shift();
  return tried.length < AUTO_TRIES;
}

export function ServerViewError({ error, retry }: { error: Error & { digest?: string }; retry: () => void }) {
  const state = useReachability();
  const [gaveUp, setGaveUp] = useState(false);

  useEffect(() => {
    console.error(error);
    let cancelled = false;
    void (async () => {
      // A view that failed a fourth time within the minute is not an outage: it waits for the user.
      if (!mayTryAgain(Date.now())) return setGaveUp(true);
      if (!(await connection.probe())) await connection.whenReachable();
      if (cancelled) return;
      tried.push(Date.now());
      setGaveUp(false);
      retry();
    })();
    return () => {
      cancelled = true;
    };
  }, [error, retry]);

  return (
    <div data-testid="view-error" className="flex flex-1 flex-col items-center justify-center gap-3 px-6 py-24 text-center">
      <h1 className="text-2xl font-semibold tracking-tight">This page couldn&apos;t load</h1>
      <p role="status" className="text-zinc-600 dark:text-zinc-400">
        {gaveUp ? "It still didn't load. Your chats are saved." : state === "unreachable" ? "Can't reach the server. Trying again when it is back…" : "Trying again…"}
      </p>
      <button
        type="button"
        onClick={() => retry()}
        className="rounded-lg bg-clay-600 px-4 py-2 text-sm font-medium text-white hover:bg-clay-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-600"
      >
        Try again
      </button>
    </div>
  );
}
