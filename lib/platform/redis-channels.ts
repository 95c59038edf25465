// Pub/sub channels shared by this process's listeners over one subscriber
// connection (the reply stream bus and the user event bus, scaled mode): one
// SUBSCRIBE per channel while it has a listener, one UNSUBSCRIBE when its
// last one leaves. A channel's SUBSCRIBE and UNSUBSCRIBE go out strictly in
// order, so a listener arriving while its channel is being released is never
// left deaf. A message is decoded once and handed to every listener.

/** The part of a node-redis client this needs. */
export type PubSubClient = {
  subscribe(channel: string, onMessage: (raw: string) => void): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
};

type Channel<T> = { listeners: Set<(message: T) => void>; ready: Promise<void> };

export class RedisChannels<T> {
  private readonly channels = new Map<string, Channel<T>>();
  private readonly ops = new Map<string, Promise<void>>();

  constructor(
    private readonly subscriber: () => Promise<PubSubClient>,
    /** What a raw message means; undefined for one that is not ours (ignored). */
    private readonly decode: (raw: string) => T | undefined,
    /** Called once per SUBSCRIBE or UNSUBSCRIBE sent (the benchmark counts Redis commands). */
    private readonly onCommand: () => void = () => {},
  ) {}

  /** Runs `op` after every earlier subscribe or unsubscribe of this channel. */
  private inOrder(name: string, op: () => Promise<void>): Promise<void> {
    const next = (this.ops.get(name) ?? Promise.resolve()).then(op, op);
    const settled = next
      .catch(() => {})
      .finally(() => {
        if (this.ops.get(name) === settled) this.ops.delete(name);
      });
    this.ops.set(name, settled);
    return next;
  }

  /** Resolves once the channel's SUBSCRIBE is active; the function returned stops listening. */
  async listen(name: string, fn: (message: T) => void): Promise<() => void> {
    let ch = this.channels.get(name);
    if (!ch) {
      const listeners = new Set<(message: T) => void>();
      const ready = this.inOrder(name, async () => {
        this.onCommand();
        await (
          await this.subscriber()
        ).subscribe(name, (raw) => {
          const message = this.decode(raw);
          if (message !== undefined) for (const l of listeners) l(message);
        });
      });
      const made: Channel<T> = { listeners, ready };
      // A SUBSCRIBE that failed is not kept: the next listener tries again.
      ready.catch(() => this.channels.get(name) === made && this.channels.delete(name));
      ch = made;
      this.channels.set(name, ch);
    }
    const channel = ch;
    channel.listeners.add(fn);
    await channel.ready;
    return () => {
      channel.listeners.delete(fn);
      if (channel.listeners.size > 0 || this.channels.get(name) !== channel) return;
      this.channels.delete(name);
      void this.inOrder(name, async () => {
        // A new listener may have subscribed again meanwhile: it has its own entry.
        if (this.channels.has(name)) return;
        this.onCommand();
        await (await this.subscriber()).unsubscribe(name);
      }).catch(() => {});
    };
  }

  /** Forgets every channel (the subscriber connection is being closed). */
  clear(): void {
    this.channels.clear();
  }
}
