// The tab's one connection to the user's event stream (GET /api/events,
// docs/PROTOCOL.md §4.8), and what this tab knows from it: which chats have
// a reply generating, and which finished while they were not the open chat
// (unread; troubled when the reply was interrupted or failed). No React here
// (components/useTabEvents.ts binds it). The connection resumes after the
// last id it received, with backoff (1 s doubling to 30 s, jittered); 45 s
// without a byte (keep-alives come every 15 s) is a dead link. A `reset` (or
// a snapshot after a reconnect) means events were missed: listeners refetch.
import { createParser } from "eventsource-parser";
import type { GeneratingReply, TabStart } from "../events/generating";
import { USER_EVENT_NAMES, type UserEvent } from "../events/types";

/** What listeners get: the user's events, and the start of a stream that could not replay. */
export type TabEvent = UserEvent | { id: number; event: "snapshot" | "reset"; data: { generating: GeneratingReply[] }; missed: boolean };
export type TabEventListener = (e: TabEvent) => void;

/** A reply that did not finish by itself and was not stopped: worth a look. */
export type ReplyTrouble = "interrupted" | "failed";

export type TabEventsState = {
  /** Conversation id → id of its reply generating now. */
  generating: ReadonlyMap<string, string>;
  /** Chats whose reply ended while another chat (or none) was open here. */
  unread: ReadonlySet<string>;
  /** Of those, the chats whose latest reply was interrupted or failed. */
  trouble: ReadonlyMap<string, ReplyTrouble>;
};

const KNOWN = new Set<string>([...USER_EVENT_NAMES, "snapshot", "reset"]);
const UNREAD_KEY = "tether:unread";
const TROUBLE_KEY = "tether:trouble";
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
const IDLE_MS = 45_000;

export class UserEventsConnection {
  private lastId: number | undefined;
  private started = false;
  private everConnected = false;
  /** The current connection got its answer (backoff starts again from 1 s). */
  private answered = false;
  private controller: AbortController | null = null;
  private readonly listeners = new Set<TabEventListener>();
  private readonly stateSubs = new Set<() => void>();
  private state: TabEventsState = { generating: new Map(), unread: new Set(), trouble: new Map() };

  constructor(
    private readonly doFetch: typeof fetch = (i, init) => fetch(i, init),
    /** The chat this tab shows now (a reply ending there is read). */
    private readonly openChat: () => string | null = () => null,
    private readonly storage: Pick<Storage, "getItem" | "setItem"> | null = null,
  ) {
    try {
      const saved = JSON.parse(storage?.getItem(UNREAD_KEY) ?? "[]") as unknown;
      if (Array.isArray(saved)) this.state = { ...this.state, unread: new Set(saved.filter((x): x is string => typeof x === "string")) };
      const troubled = JSON.parse(storage?.getItem(TROUBLE_KEY) ?? "[]") as unknown;
      if (Array.isArray(troubled)) {
        const ok = (x: unknown): x is [string, ReplyTrouble] => Array.isArray(x) && typeof x[0] === "string" && (x[1] === "interrupted" || x[1] === "failed");
        this.state = { ...this.state, trouble: new Map(troubled.filter(ok)) };
      }
    } catch {
      /* a bad saved value: start with nothing unread */
    }
  }

  getState = (): TabEventsState => this.state;

  subscribeState = (fn: () => void): (() => void) => {
    this.stateSubs.add(fn);
    return () => void this.stateSubs.delete(fn);
  };

  /** Listens to every event; starts the connection on first use. */
  listen(fn: TabEventListener): () => void {
    this.listeners.add(fn);
    this.start();
    return () => void this.listeners.delete(fn);
  }

  markRead(conversationId: string): void {
    if (!this.state.unread.has(conversationId) && !this.state.trouble.has(conversationId)) return;
    const unread = new Set(this.state.unread);
    unread.delete(conversationId);
    const trouble = new Map(this.state.trouble);
    trouble.delete(conversationId);
    this.setState({ ...this.state, unread, trouble });
  }

  /** Resume from a server render (once, before the connection opens). */
  seed(start: TabStart): void {
    if (this.started || this.lastId !== undefined) return;
    this.lastId = start.after;
    this.everConnected = true; // a `snapshot` after this would mean missed events
    this.state = { ...this.state, generating: new Map(start.generating.map((g) => [g.conversationId, g.messageId])) };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.run();
  }

  stop(): void {
    this.started = false;
    this.controller?.abort();
  }

  private setState(next: TabEventsState): void {
    if (next.unread !== this.state.unread) this.storage?.setItem(UNREAD_KEY, JSON.stringify([...next.unread]));
    if (next.trouble !== this.state.trouble) this.storage?.setItem(TROUBLE_KEY, JSON.stringify([...next.trouble]));
    this.state = next;
    this.stateSubs.forEach((fn) => fn());
  }

  /** Folds an event into the state, then tells the listeners. */
  private apply(e: TabEvent): void {
    const s = this.state;
    if (e.event === "snapshot" || e.event === "reset") {
      this.setState({ ...s, generating: new Map(e.data.generating.map((g) => [g.conversationId, g.messageId])) });
    } else if (e.event === "reply.started") {
      const trouble = new Map(s.trouble);
      trouble.delete(e.data.conversationId); // a new reply (Continue, Regenerate) is under way
      this.setState({ ...s, generating: new Map(s.generating).set(e.data.conversationId, e.data.messageId), trouble });
    } else if (e.event === "reply.ended") {
      const { conversationId, status } = e.data;
      const generating = new Map(s.generating);
      if (generating.get(conversationId) === e.data.messageId) generating.delete(conversationId);
      const away = conversationId !== this.openChat();
      const unread = away ? new Set(s.unread).add(conversationId) : s.unread;
      const trouble = new Map(s.trouble);
      if (away && (status === "interrupted" || status === "failed")) trouble.set(conversationId, status);
      else trouble.delete(conversationId);
      this.setState({ generating, unread, trouble });
    } else if (e.event === "conversation.deleted") {
      const generating = new Map(s.generating);
      generating.delete(e.data.conversationId);
      const unread = new Set(s.unread);
      unread.delete(e.data.conversationId);
      const trouble = new Map(s.trouble);
      trouble.delete(e.data.conversationId);
      this.setState({ generating, unread, trouble });
    }
    this.listeners.forEach((fn) => fn(e));
  }

  private async run(): Promise<void> {
    for (let attempt = 0; this.started; attempt++) {
      this.answered = false;
      const status = await this.connect().catch(() => 0);
      if (this.answered) attempt = 0;
      // Signed out (401) or gone: nothing to follow until the page reloads.
      if (!this.started || status === 401 || status === 403 || status === 404) return;
      const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
      await new Promise<void>((resume) => {
        const wake = () => {
          clearTimeout(timer);
          window.removeEventListener("online", wake);
          resume();
        };
        const timer = setTimeout(wake, delay);
        // Back online: try at once.
        window.addEventListener("online", wake);
      });
    }
  }

  /** One connection, read until it ends; resolves with its HTTP status. */
  private async connect(): Promise<number> {
    const controller = (this.controller = new AbortController());
    const url = this.lastId === undefined ? "/api/events" : `/api/events?after=${this.lastId}`;
    const res = await this.doFetch(url, { signal: controller.signal, cache: "no-store", headers: { accept: "text/event-stream" } });
    if (res.status !== 200 || !res.body) return res.status;
    const reconnect = this.everConnected;
    this.everConnected = this.answered = true;
    const parser = createParser({
      onEvent: (m) => {
        const id = Number(m.id);
        if (!m.event || !KNOWN.has(m.event) || !Number.isSafeInteger(id)) return;
        this.lastId = id;
        let data: unknown;
        try {
          data = JSON.parse(m.data);
        } catch {
          return;
        }
        const start = m.event === "snapshot" || m.event === "reset";
        this.apply((start ? { id, event: m.event, data, missed: m.event === "reset" || reconnect } : { id, event: m.event, data }) as TabEvent);
      },
    });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let idle: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => controller.abort(), IDLE_MS);
    };
    try {
      for (arm(); ; arm()) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } finally {
      clearTimeout(idle);
    }
    return 200;
  }
}

let tab: UserEventsConnection | undefined;

/** This tab's connection (one per tab), made on first use in the browser. */
export function tabEvents(): UserEventsConnection {
  tab ??= new UserEventsConnection(
    undefined,
    () => (location.pathname.startsWith("/c/") ? decodeURIComponent(location.pathname.slice(3)) : null),
    typeof localStorage === "undefined" ? null : localStorage,
  );
  return tab;
}
