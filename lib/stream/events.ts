// SSE events of docs/PROTOCOL.md §4. Numbered events carry strictly increasing ids per
// assistant message; the first snapshot of a stream is the only unnumbered one.
import type { Message, MessageStatus, Part } from "../chat/types";

export type StreamEventMap = {
  snapshot: { message: Message; userMessage?: Message };
  part_start: { index: number; part: Part };
  delta: { index: number; text: string } | { index: number; json: string };
  /** For a thinking part: `durationMs`, its final duration, and `signature` when the model signed it (docs/PROTOCOL.md §4.2). */
  part_stop: { index: number; durationMs?: number; signature?: string };
  tool_progress: { toolUseId: string; message: string; percent?: number };
  /** `model`: when streaming starts, the model that answered as the API named it (docs/PROTOCOL.md §4.2). */
  status: { status: MessageStatus; model?: string };
  error: { code: string; message: string };
  done: { message: Message };
};

export type StreamEventName = keyof StreamEventMap;

export type StreamEvent = {
  [K in StreamEventName]: { id: number; event: K; data: StreamEventMap[K] };
}[StreamEventName];

/** A stream for someone other than the owner (a shared link's viewer, docs/PROTOCOL.md §3.7). */
export type StreamView = {
  /** The message as this viewer may see it, in `snapshot` and `done`. */
  present(m: Message): Message;
  /** Any other event as this viewer may see it: the same object when unchanged (its encoding is shared). */
  event?(e: StreamEvent): StreamEvent;
  /** Called once when the stream ends, however it ends (a failed start too). */
  onClose?(): void;
};
