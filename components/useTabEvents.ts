"use client";
// React binding of the tab's event stream (lib/client/user-events.ts): its
// state (generating replies, unread chats) and a listener on its events.
import { useEffect, useRef, useSyncExternalStore } from "react";
import { tabEvents, type TabEventListener, type TabEventsState } from "@/lib/client/user-events";
import type { TabStart } from "@/lib/events/generating";

const NONE: TabEventsState = { generating: new Map(), unread: new Set(), trouble: new Map() };
const serverState = () => NONE;
const subscribe = (fn: () => void) => tabEvents().subscribeState(fn);
const getState = () => tabEvents().getState();

export function useTabEvents(): TabEventsState {
  return useSyncExternalStore(subscribe, getState, serverState);
}

/**
 * Seeds the tab's connection with the server render's start, before any
 * child's effect opens it (a render runs before effects): it then resumes
 * from the page's moment, and what happened since is replayed.
 */
export function useTabEventsStart(start: TabStart | null): void {
  if (start && typeof window !== "undefined") tabEvents().seed(start);
}

/** Calls the latest `fn` on every event (and opens the connection). */
export function useTabEventListener(fn: TabEventListener): void {
  const latest = useRef(fn);
  useEffect(() => {
    latest.current = fn;
  });
  useEffect(() => tabEvents().listen((e) => latest.current(e)), []);
}
