// Shared pub/sub channels against the Redis on this machine: one SUBSCRIBE
// per channel however many listeners, released by the last, a listener that
// comes back mid-release still hearing, and a failed SUBSCRIBE not kept.
import { afterAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createClient } from "redis";
import { RedisChannels, type PubSubClient } from "./redis-channels";

const URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const raw = createClient({ url: URL });
const sub = createClient({ url: URL });
const ready = Promise.all([raw.connect(), sub.connect()]);

afterAll(async () => {
  await Promise.all([raw.close(), sub.close()]);
});

const subscribers = async (name: string) => Number(((await raw.pubSubNumSub(name)) as Record<string, number>)[name] ?? 0);

/** Channels over the shared subscriber connection, counting the commands sent. */
function channels(client: () => Promise<PubSubClient> = async () => (await ready, sub)) {
  let commands = 0;
  const c = new RedisChannels<string>(
    client,
    (m) => (m.startsWith("ours:") ? m.slice(5) : undefined),
    () => commands++,
  );
  return { c, commands: () => commands };
}

/** The next message `listen` hands over on `name`. */
function heard(c: RedisChannels<string>, name: string) {
  let stop!: () => void;
  const got = new Promise<string>((resolve) => {
    void c.listen(name, resolve).then((s) => (stop = s));
  });
  return { got, stop: () => stop() };
}

describe("RedisChannels", () => {
  it("subscribes once for every listener of a channel, decodes once, and unsubscribes when the last leaves", async () => {
    const { c, commands } = channels();
    const name = `chan-${randomUUID()}`;
    const a: string[] = [];
    const b: string[] = [];
    const [stopA, stopB] = await Promise.all([c.listen(name, (m) => a.push(m)), c.listen(name, (m) => b.push(m))]);
    expect(commands()).toBe(1);
    expect(await subscribers(name)).toBe(1);
    await raw.publish(name, "not ours");
    await raw.publish(name, "ours:one");
    await expect.poll(() => b).toEqual(["one"]);
    expect(a).toEqual(["one"]);
    stopA();
    expect(commands()).toBe(1); // b still listens
    stopB();
    await expect.poll(() => subscribers(name)).toBe(0);
    expect(commands()).toBe(2);
  });

  it("a listener that arrives while its channel is being released still hears", async () => {
    const { c } = channels();
    const name = `chan-${randomUUID()}`;
    for (let i = 0; i < 20; i++) {
      const stop = await c.listen(name, () => {});
      stop(); // the UNSUBSCRIBE is queued…
      const next = heard(c, name); // …and a new listener comes at once
      await c.listen(name, () => {}).then((s) => s()); // and another comes and goes
      await expect.poll(() => subscribers(name)).toBe(1);
      await raw.publish(name, `ours:${i}`);
      expect(await next.got).toBe(String(i));
      next.stop();
      await expect.poll(() => subscribers(name)).toBe(0);
    }
  });

  it("a SUBSCRIBE that failed is not kept: the next listener subscribes again", async () => {
    let failOnce = true;
    const flaky: PubSubClient = {
      subscribe: (name, on) => {
        if (failOnce) {
          failOnce = false;
          return Promise.reject(new Error("connection lost"));
        }
        return sub.subscribe(name, on);
      },
      unsubscribe: (name) => sub.unsubscribe(name),
    };
    const { c } = channels(async () => (await ready, flaky));
    const name = `chan-${randomUUID()}`;
    await expect(c.listen(name, () => {})).rejects.toThrow("connection lost");
    const next = heard(c, name);
    await expect.poll(() => subscribers(name)).toBe(1);
    await raw.publish(name, "ours:again");
    expect(await next.got).toBe("again");
    next.stop();
  });
});
