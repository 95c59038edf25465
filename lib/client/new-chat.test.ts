import { describe, expect, it } from "vitest";
import { newChatRequests, onNewChatClick, requestNewChat, subscribeNewChat } from "./new-chat";

const click = { button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false, defaultPrevented: false };

describe("new chat requests", () => {
  it("counts each request and tells every subscriber until it unsubscribes", () => {
    const seen: number[] = [];
    const stop = subscribeNewChat(() => seen.push(newChatRequests()));
    const before = newChatRequests();
    requestNewChat();
    requestNewChat();
    stop();
    requestNewChat();
    expect(seen).toEqual([before + 1, before + 2]);
    expect(newChatRequests()).toBe(before + 3);
  });

  it("counts a link's plain click, not one that opens elsewhere", () => {
    const before = newChatRequests();
    for (const other of [{ button: 1 }, { metaKey: true }, { ctrlKey: true }, { shiftKey: true }, { altKey: true }, { defaultPrevented: true }])
      onNewChatClick({ ...click, ...other });
    expect(newChatRequests()).toBe(before);
    onNewChatClick(click);
    expect(newChatRequests()).toBe(before + 1);
  });
});
