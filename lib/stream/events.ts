// SSE events of docs/PROTOCOL.md §4. Numbered events carry strictly increasing ids per
// assistant message; the first snapshot of a stream is the only unnumbered one.
import type { Message, MessageStatus, Part } from "../chat/types";

export type StreamEventMap = {
  snapshot: { message: Message; userMessage?: Message };
  part_start: { index: number; part: Part };
  delta: { index: number; text: string } | { index: number; json: string };
  /** `durationMs`: set for a thinking part, its final duration (docs/PROTOCOL.md §4.2). */
  part_stop: { index: number; durationMs?: number };
  tool_progress: { toolUseId: string; message: string; percent?: number };
  status: { status: MessageStatus };
  error: { code: string; message: string };
  done: { message: Message };
};

export type StreamEventName = keyof StreamEventMap;

export type StreamEvent = {
  [K in StreamEventName]: { id: number; event: K; data: StreamEventMap[K] };
}[StreamEventName];
