// Reply control across instances: Stop (or a conversation delete) issued on
// any instance must reach the one running the generation. With Redis, a stop
// request is published on a control channel that every instance listens to;
// in-process there is only this instance.
import { createClient } from "redis";
import { errorFields, log } from "../platform/log";

const redisError = (e: unknown) => log.error({ component: "redis", client: "control", err: errorFields(e) }, "redis error");

export interface ReplyControl {
  /** Asks whichever instance runs this reply's generation to stop it. */
  requestStop(messageId: string): Promise<void>;
  /** True when another instance may own generations (a stop must be broadcast). */
  readonly distributed: boolean;
}

/** Stops a reply if this process runs it (the generation registry's stop). */
export type StopHere = (messageId: string) => void;

export class LocalControl implements ReplyControl {
  readonly distributed = false;
  constructor(private readonly stopHere: StopHere) {}
  async requestStop(messageId: string) {
    this.stopHere(messageId);
  }
}

const makeClient = (url: string) => createClient({ url });
type Client = ReturnType<typeof makeClient>;

export class RedisControl implements ReplyControl {
  readonly distributed = true;
  private pub: Promise<Client> | null = null;
  private sub: Promise<Client> | null = null;

  constructor(
    private readonly url: string,
    private readonly stopHere: StopHere,
    private readonly channel = "tether:control",
  ) {}

  /** Starts listening for stop requests (once per process). */
  listen(): Promise<void> {
    this.sub ??= (async () => {
      const c = makeClient(this.url);
      c.on("error", redisError);
      await c.connect();
      await c.subscribe(this.channel, (raw) => {
        try {
          const msg = JSON.parse(raw) as { type?: string; messageId?: string };
          if (msg.type === "stop" && typeof msg.messageId === "string") this.stopHere(msg.messageId);
        } catch {
          /* not ours */
        }
      });
      return c;
    })();
    return this.sub.then(() => {});
  }

  async requestStop(messageId: string) {
    this.stopHere(messageId); // here, if it runs here
    this.pub ??= (async () => {
      const c = makeClient(this.url);
      c.on("error", redisError);
      await c.connect();
      return c;
    })();
    await (await this.pub).publish(this.channel, JSON.stringify({ type: "stop", messageId }));
  }

  async close() {
    const [pub, sub] = [this.pub, this.sub];
    this.pub = this.sub = null;
    await Promise.all([pub?.then((c) => c.close()).catch(() => {}), sub?.then((c) => c.close()).catch(() => {})]);
  }
}

/** Redis when REDIS_URL is set (listening starts at server start: `listen()`), else this process only. */
export function createReplyControl(redisUrl: string | undefined, stopHere: StopHere): ReplyControl {
  return redisUrl ? new RedisControl(redisUrl, stopHere) : new LocalControl(stopHere);
}
