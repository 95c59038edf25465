// "New chat" from anywhere in the tab: the sidebar's button, the phone
// header's, Ctrl/⌘+Shift+O. Its address, /?new=1, can be the one already
// shown: a chat started there keeps it until the navigation to /c/:id that
// follows its first send lands (components/Conversation.tsx), and Next.js
// keeps a page's state when it navigates to the page it shows. So every
// request is counted here, and the empty chat is keyed by the count
// (components/NewConversation.tsx): each request gets a fresh one.

let requests = 0;
const listeners = new Set<() => void>();

/** Counts a request for a new chat; call it beside the navigation to /?new=1. */
export function requestNewChat(): void {
  requests++;
  for (const listener of listeners) listener();
}

/** A "New chat" link's click: counted unless it opens elsewhere (a modifier key, another button). */
export function onNewChatClick(e: { button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey: boolean; defaultPrevented: boolean }): void {
  if (e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey && !e.defaultPrevented) requestNewChat();
}

/** How many new chats this tab has asked for (useSyncExternalStore's snapshot). */
export const newChatRequests = (): number => requests;

export function subscribeNewChat(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
