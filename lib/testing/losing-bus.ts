// An in-process bus whose newest subscriber can be made to lose events it
// cannot give back, as a Redis subscriber does when its log is gone
// (StreamBus.subscribe's `onLost`): told once, then given nothing more.
import { MemoryStreamBus } from "../stream/memory-bus";
import type { StreamEvent } from "../stream/events";

export function losingBus() {
  const bus = new MemoryStreamBus();
  /** Where each subscription started (`after`), in order. */
  const starts: (number | null)[] = [];
  let lose = () => {};
  const losing = Object.assign(Object.create(bus) as MemoryStreamBus, {
    async subscribe(messageId: string, after: number | null, onEvent: (e: StreamEvent) => void, onLost?: () => void) {
      starts.push(after);
      let on = true;
      const sub = await bus.subscribe(messageId, after, (e) => on && onEvent(e));
      lose = () => ((on = false), onLost?.());
      return sub;
    },
  });
  /** `bus` publishes and opens; `losing` is what the code under test subscribes to. */
  return { bus, losing, starts, lose: () => lose() };
}
