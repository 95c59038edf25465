"use client";
// A conversation's queue of follow-ups (docs/PROTOCOL.md §3.8) as this tab
// shows it: the server render's copy, read again whenever the tab's event
// stream says it changed (here, in another tab, or when the server started
// the next one) or that events were missed. Adding, editing and removing go
// to the server; the list follows what it answers.
import { useCallback, useEffect, useRef, useState } from "react";
import { getQueue, addToQueue, editQueued, removeQueued, type QueuedMessage } from "@/lib/client/queue";
import { useTabEventListener } from "./useTabEvents";

export type Queue = {
  items: QueuedMessage[];
  /** Queues `content`; rejects with the server's ApiError (429 queue_full…). */
  add(content: string): Promise<void>;
  edit(id: string, content: string): Promise<void>;
  remove(id: string): Promise<void>;
};

const NONE: QueuedMessage[] = [];

export function useQueue(conversationId: string | null, initial: QueuedMessage[] = NONE): Queue {
  const [items, setItems] = useState(initial);
  const reading = useRef<AbortController | null>(null);

  const reload = useCallback(async () => {
    if (!conversationId) return;
    reading.current?.abort();
    const ac = (reading.current = new AbortController());
    try {
      setItems((await getQueue(conversationId, ac.signal)).queue);
    } catch {
      // Gone or unreachable: the next event (or reconnect) reads it again.
    }
  }, [conversationId]);

  // A new server render (a refresh, another conversation) brings its own copy.
  useEffect(() => setItems(initial), [initial]);
  useEffect(() => () => reading.current?.abort(), []);

  useTabEventListener((e) => {
    if (e.event === "snapshot" || e.event === "reset") {
      if (e.missed) void reload();
    } else if (e.event === "queue.changed" && e.data.conversationId === conversationId) void reload();
  });

  // One add at a time, in the order they were asked for: the queue's order is the order of Enter presses.
  const adding = useRef<Promise<unknown>>(Promise.resolve());
  const add = useCallback(
    (content: string) => {
      const next = adding.current
        .catch(() => {})
        .then(async () => {
          if (!conversationId) return;
          const { queued, started } = await addToQueue(conversationId, content);
          if (!started) setItems((list) => (list.some((q) => q.id === queued.id) ? list : [...list, queued]));
        });
      adding.current = next;
      return next;
    },
    [conversationId],
  );
  const edit = useCallback(async (id: string, content: string) => {
    const saved = await editQueued(id, content);
    setItems((list) => list.map((q) => (q.id === id ? saved : q)));
  }, []);
  const remove = useCallback(async (id: string) => {
    await removeQueued(id);
    setItems((list) => list.filter((q) => q.id !== id));
  }, []);

  return { items, add, edit, remove };
}
