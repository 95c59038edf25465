"use client";
// React binding of the tab's event stream (lib/client/user-events.ts): its
// state (generating replies, unread chats) and a listener on its events.
import { useEffect, useRef, useSyncExternalStore } from "react";
import { tabEvents, type TabEventListener, type TabEventsState } from "@/lib/client/user-events";

const NONE: TabEventsState = { generating: new Map(), unread: new Set() };
const serverState = () => NONE;
const subscribe = (fn: () => void) => tabEvents().subscribeState(fn);
const getState = () => tabEvents().getState();

export function useTabEvents(): TabEventsState {
  return useSyncExternalStore(subscribe, getState, serverState);
}

/** Calls the latest `fn` on every event (and opens the connection). */
export function useTabEventListener(fn: TabEventListener): void {
  const latest = useRef(fn);
  useEffect(() => {
    latest.current = fn;
  });
  useEffect(() => tabEvents().listen((e) => latest.current(e)), []);
}
