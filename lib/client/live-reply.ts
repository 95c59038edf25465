// One reply being generated, as this tab follows it (no React here).
// Events are applied to `latest` as they arrive; frame subscribers see a new
// message at most once per animation frame, state subscribers only coarse
// changes (ids confirmed, finished, connection), so tokens re-render only
// the streaming message.
import { applyEvent, type PendingJson } from "../stream/reduce";
import type { StreamEvent } from "../stream/events";
import type { Message } from "../chat/types";
import { isGenerating } from "../reply/status";
import * as api from "./api";
import type { ReplyStream } from "./stream";

export type Connection = "connecting" | "live" | "reconnecting" | "polling";

/** The latest `tool_progress` of one tool use (a new one replaces it). */
export type ToolProgress = { message: string; percent?: number };

/**
 * What a streaming reply shows beyond its message: tool input still being
 * typed (the JSON fragments of open tool_use blocks, by part index) and the
 * latest progress of each running tool (by tool use id). Replaced, never
 * mutated, so React can compare it by identity.
 */
export type LiveExtras = {
  toolInput: Readonly<Record<number, string>>;
  toolProgress: Readonly<Record<string, ToolProgress>>;
};

export const NO_EXTRAS: LiveExtras = Object.freeze({ toolInput: Object.freeze({}), toolProgress: Object.freeze({}) });

export type LiveReplyState = {
  /** Set when this tab sent the message (optimistic until confirmed). */
  userMessage?: Message;
  messageId: string;
  /** Ids above are the server's (not local placeholders). */
  confirmed: boolean;
  finished: boolean;
  connection: Connection;
  stopping: boolean;
};

const POLL_MS = 1000;
/**
 * At most this many renders per second of a streaming reply. A render costs
 * the same whether it adds one token or five (the tail block is re-parsed,
 * laid out and painted), so at Claude's pace (~50–100 tokens/s) rendering
 * on every animation frame spends most of the main thread on renders that
 * each add a single token; 30 per second reads as smooth and halves that.
 */
const MAX_RENDERS_PER_SECOND = 30;
const MIN_FRAME_MS = 1000 / MAX_RENDERS_PER_SECOND;
const DISCOVER_MS = 500;
let counter = 0;

export class LiveReply {
  readonly key = `live-${++counter}`;
  private state: LiveReplyState;
  private latest: Message;
  private shown: Message;
  private readonly pendingJson: PendingJson = new Map();
  private progress: Record<string, ToolProgress> = {};
  private extrasDirty = false;
  private shownExtras: LiveExtras = NO_EXTRAS;
  private readonly stateSubs = new Set<() => void>();
  private readonly frameSubs = new Set<() => void>();
  private frameHandle: { raf?: number; delay?: ReturnType<typeof setTimeout>; timer: ReturnType<typeof setTimeout> } | null = null;
  private lastFlush = -Infinity;
  private stream?: ReplyStream;
  private stopRequested = false;
  private disposed = false;

  constructor(
    readonly conversationId: string,
    /** The user's setting: tokens shown as they arrive; off, the reply appears whole when done. */
    readonly streaming: boolean,
    /** Messages the server view had before this reply: later ones are this reply's own. */
    readonly baseCount: number,
    message: Message,
    state: Omit<LiveReplyState, "messageId" | "finished" | "stopping">,
  ) {
    this.latest = this.shown = message;
    this.state = { ...state, messageId: message.id, finished: false, stopping: false };
  }

  getState = (): LiveReplyState => this.state;
  getMessage = (): Message => this.shown;
  /** Tool input and progress as of the last published frame. */
  getExtras = (): LiveExtras => this.shownExtras;

  subscribeState = (fn: () => void) => {
    this.stateSubs.add(fn);
    return () => void this.stateSubs.delete(fn);
  };

  subscribeFrame = (fn: () => void) => {
    this.frameSubs.add(fn);
    return () => void this.frameSubs.delete(fn);
  };

  private setState(patch: Partial<LiveReplyState>) {
    this.state = { ...this.state, ...patch };
    this.stateSubs.forEach((fn) => fn());
  }

  /**
   * Publishes `latest` on the next animation frame, no sooner than
   * MIN_FRAME_MS after the previous one; a timer covers hidden tabs (no rAF there).
   */
  private scheduleFrame() {
    if (this.frameHandle || typeof window === "undefined") return;
    const run = () => this.flushFrame();
    const wait = this.lastFlush + MIN_FRAME_MS - now();
    const handle: NonNullable<LiveReply["frameHandle"]> = { timer: setTimeout(run, 250 + Math.max(0, wait)) };
    // Within a few ms of the budget, the next frame is late enough.
    if (wait > 4) handle.delay = setTimeout(() => (handle.raf = requestAnimationFrame(run)), wait);
    else handle.raf = requestAnimationFrame(run);
    this.frameHandle = handle;
  }

  private cancelFrame() {
    if (!this.frameHandle) return;
    if (this.frameHandle.raf !== undefined) cancelAnimationFrame(this.frameHandle.raf);
    clearTimeout(this.frameHandle.delay);
    clearTimeout(this.frameHandle.timer);
    this.frameHandle = null;
  }

  private flushFrame() {
    this.cancelFrame();
    if (this.shown === this.latest && !this.extrasDirty) return;
    this.lastFlush = now();
    this.shown = this.latest;
    if (this.extrasDirty) {
      this.extrasDirty = false;
      this.shownExtras = { toolInput: Object.fromEntries(this.pendingJson), toolProgress: this.progress };
    }
    this.frameSubs.forEach((fn) => fn());
  }

  private confirm(user: Message | undefined, assistant: Message) {
    if (this.state.confirmed && this.state.messageId === assistant.id) return;
    // The placeholder takes the server's id; its (empty) body stays until the reply arrives.
    if (this.latest.id !== assistant.id) {
      this.latest = { ...this.latest, id: assistant.id, status: assistant.status, createdAt: assistant.createdAt };
      this.scheduleFrame();
    }
    this.setState({ confirmed: true, messageId: assistant.id, userMessage: user ?? this.state.userMessage });
    if (this.stopRequested) void this.stop();
  }

  /** Folds one stream event in (rendered on the next frame). */
  apply(event: StreamEvent) {
    if (this.disposed || this.state.finished) return;
    this.latest = applyEvent(this.latest, event, this.pendingJson);
    this.noteExtras(event);
    if (event.event === "snapshot") this.confirm(event.data.userMessage, event.data.message);
    if (event.event === "done") return this.complete(event.data.message);
    this.scheduleFrame();
  }

  /** Tracks what changes the extras: tool input fragments and progress. */
  private noteExtras(event: StreamEvent) {
    switch (event.event) {
      case "tool_progress": {
        const { toolUseId, message, percent } = event.data;
        this.progress = { ...this.progress, [toolUseId]: percent === undefined ? { message } : { message, percent } };
        this.extrasDirty = true;
        break;
      }
      case "delta":
        if ("json" in event.data) this.extrasDirty = true;
        break;
      case "part_start":
        if (event.data.part.type === "tool_use") this.extrasDirty = true;
        break;
      case "part_stop":
      case "snapshot":
      case "done":
        // The reducer drops (part_stop) or clears (snapshot, done) pending input.
        if (this.pendingJson.size > 0 || Object.keys(this.shownExtras.toolInput).length > 0) this.extrasDirty = true;
        break;
    }
  }

  /** Replaces the message wholesale (polling, non-streamed answers). */
  replace(message: Message) {
    if (this.disposed || this.state.finished) return;
    this.latest = message;
    if (!isGenerating(message.status)) return this.complete(message);
    this.scheduleFrame();
  }

  private complete(message: Message) {
    this.latest = message;
    this.flushFrame();
    this.confirm(undefined, message);
    this.setState({ finished: true, stopping: false, connection: "live" });
    this.stream = undefined;
  }

  setConnection(connection: Connection) {
    if (this.state.connection !== connection && !this.state.finished) this.setState({ connection });
  }

  /** Follows a stream until its `done`; falls back to polling if it cannot. */
  follow(stream: ReplyStream) {
    this.stream = stream;
    stream.final.catch((e: unknown) => {
      if (this.disposed || this.state.finished || (e as Error)?.name === "AbortError") return;
      const id = stream.messageId ?? (this.state.confirmed ? this.state.messageId : undefined);
      // No stream route, or it kept failing: the database still has the truth.
      if (id) void this.poll(id, true);
      else void this.discover().then((m) => m && this.poll(m.id, true));
    });
  }

  /** Polls the message until it is no longer generating. */
  async poll(messageId: string, showPartial: boolean) {
    this.setConnection("polling");
    while (!this.disposed && !this.state.finished) {
      await sleep(POLL_MS);
      if (this.disposed || this.state.finished) return;
      try {
        const m = await api.getMessage(messageId);
        this.setConnection("polling");
        // Saved text can trail what the stream already showed (checkpoints
        // land every 500 ms): never step the visible text backwards.
        const behind = m.content.length < this.latest.content.length;
        if (!isGenerating(m.status) || (showPartial && !behind)) this.replace(m);
      } catch (e) {
        if (e instanceof api.ApiError && e.status === 404)
          return this.complete({ ...this.latest, status: "failed", error: { code: "not_found", message: "This reply no longer exists." } });
        this.setConnection("reconnecting");
      }
    }
  }

  /**
   * Finds this reply's messages by reading the conversation: the first
   * assistant message after the `baseCount` earlier ones is ours (one reply
   * generates per conversation at a time).
   */
  async discover(): Promise<Message | undefined> {
    while (!this.disposed && !this.state.finished) {
      try {
        const { messages } = await api.getConversation(this.conversationId);
        const mine = messages.slice(this.baseCount);
        const assistant = mine.find((m) => m.role === "assistant");
        if (assistant) {
          this.confirm(
            mine.find((m) => m.role === "user"),
            assistant,
          );
          return assistant;
        }
      } catch (e) {
        if (e instanceof api.ApiError && e.status === 404) return undefined;
      }
      await sleep(DISCOVER_MS);
    }
    return undefined;
  }

  /** Stops generation. Before the id is known, the stop is sent once it is. */
  async stop() {
    if (this.state.finished || this.disposed) return;
    if (!this.state.stopping) this.setState({ stopping: true });
    if (!this.state.confirmed) {
      this.stopRequested = true;
      return;
    }
    this.stopRequested = false;
    try {
      const stopped = await api.stopMessage(this.state.messageId);
      // The stream (or the waiting POST) normally ends the reply itself;
      // if it does not within a moment, the stop's answer is the truth.
      if (!isGenerating(stopped.status)) setTimeout(() => this.replace(stopped), 1500);
    } catch {
      this.setState({ stopping: false });
    }
  }

  dispose() {
    this.disposed = true;
    this.stream?.abort();
    this.cancelFrame();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => (typeof performance === "undefined" ? Date.now() : performance.now());
