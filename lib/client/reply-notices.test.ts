// A hidden tab when the user's replies end: its title counts them until it is
// seen again, and a notification says so only when allowed; a Stop is no news.
import { describe, expect, it } from "vitest";
import { ReplyNotices, type NoticeSurface } from "./reply-notices";
import type { TabEvent } from "./user-events";

function page(o: { hidden?: boolean; mayNotify?: boolean } = {}) {
  const state = { hidden: o.hidden ?? true, title: "Tides · Tether", mayNotify: o.mayNotify ?? true };
  const shown: { title: string; body: string; tag: string; conversationId: string }[] = [];
  const surface: NoticeSurface = {
    hidden: () => state.hidden,
    getTitle: () => state.title,
    setTitle: (t) => (state.title = t),
    mayNotify: () => state.mayNotify,
    notify: (title, n) => shown.push({ title, ...n }),
    titleOf: async (id) => (id === "c1" ? "Tides" : null),
  };
  return { state, shown, surface };
}

const ended = (status: "complete" | "failed" | "interrupted" | "stopped", n = 1): TabEvent => ({
  id: n,
  event: "reply.ended",
  data: { conversationId: n === 1 ? "c1" : `c${n}`, messageId: `m${n}`, status },
});
const settle = () => new Promise((r) => setTimeout(r, 0));

describe("ReplyNotices", () => {
  it("counts replies that end while the tab is hidden, in front of the title, until it is seen", async () => {
    const p = page();
    const notices = new ReplyNotices(p.surface);
    notices.onEvent(ended("complete"));
    expect(p.state.title).toBe("(1) Tides · Tether");
    notices.onEvent(ended("failed", 2));
    expect(p.state.title).toBe("(2) Tides · Tether");
    // The page sets its own title (a navigation): the count goes back in front.
    p.state.title = "Harbours · Tether";
    notices.showCount();
    expect(p.state.title).toBe("(2) Harbours · Tether");
    notices.onVisible();
    expect(p.state.title).toBe("Harbours · Tether");
  });

  it("notifies once per reply, tagged by it, with the chat's title; not when not allowed, not for a Stop, not when visible", async () => {
    const p = page();
    const notices = new ReplyNotices(p.surface);
    notices.onEvent(ended("complete"));
    notices.onEvent(ended("interrupted", 3));
    notices.onEvent(ended("stopped", 4));
    await settle();
    expect(p.shown).toEqual([
      { title: "Claude replied", body: "Tides", tag: "reply-m1", conversationId: "c1" },
      { title: "A reply was interrupted", body: "Open Tether to read it.", tag: "reply-m3", conversationId: "c3" },
    ]);
    expect(p.state.title).toBe("(2) Tides · Tether");

    const quiet = page({ mayNotify: false });
    new ReplyNotices(quiet.surface).onEvent(ended("complete"));
    await settle();
    expect(quiet.shown).toEqual([]);
    expect(quiet.state.title).toBe("(1) Tides · Tether");

    const seen = page({ hidden: false });
    new ReplyNotices(seen.surface).onEvent(ended("complete"));
    await settle();
    expect(seen.shown).toEqual([]);
    expect(seen.state.title).toBe("Tides · Tether");
  });

  it("ignores every other event", () => {
    const p = page();
    new ReplyNotices(p.surface).onEvent({ id: 1, event: "reply.started", data: { conversationId: "c1", messageId: "m1" } });
    expect(p.state.title).toBe("Tides · Tether");
  });
});
