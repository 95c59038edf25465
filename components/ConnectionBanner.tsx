"use client";
// "Can't reach the server — retrying" while this tab cannot reach the server
// (lib/client/connection.ts). Installs the page-wide guard, and refreshes the
// server view once the server answers again, so the page catches up by itself.
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { guardConnection } from "@/lib/client/connection-guard";
import { useReachability } from "./useReachability";

export function ConnectionBanner() {
  const router = useRouter();
  const state = useReachability();

  useEffect(() => guardConnection(), []);

  const was = useRef(state);
  useEffect(() => {
    if (was.current === "unreachable" && state === "online") router.refresh();
    was.current = state;
  }, [state, router]);

  return (
    <div role="status" aria-live="polite" className="contents">
      {state === "unreachable" && (
        <div
          data-testid="connection-banner"
          className="flex shrink-0 items-center justify-center gap-2 border-b border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
        >
          <span className="h-3.5 w-3.5 shrink-0 animate-spin rounded-full border-2 border-current border-t-transparent motion-reduce:animate-none" aria-hidden />
          Can&apos;t reach the server — retrying…
        </div>
      )}
    </div>
  );
}
