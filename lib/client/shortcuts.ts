// The app's keyboard shortcuts, as one pure function of a key event (so the
// rules are tested without a browser): Ctrl/Cmd+K focuses search,
// Ctrl/Cmd+Shift+O opens a new chat, Esc stops the streaming reply.
type Shortcut = "focus-search" | "new-chat" | "stop-reply";

type KeyInfo = Pick<KeyboardEvent, "key" | "code" | "ctrlKey" | "metaKey" | "shiftKey" | "altKey" | "isComposing" | "defaultPrevented">;

export function shortcutOf(e: KeyInfo): Shortcut | null {
  // Typing with an input method, or a key some field already handled.
  if (e.isComposing || e.defaultPrevented) return null;
  const mod = e.ctrlKey !== e.metaKey; // one of them: Ctrl on Windows/Linux, Cmd on macOS
  if (mod && !e.altKey) {
    // `code` too: with Shift or a non-Latin layout, `key` is not the letter.
    if (!e.shiftKey && (e.key.toLowerCase() === "k" || e.code === "KeyK")) return "focus-search";
    if (e.shiftKey && (e.key.toLowerCase() === "o" || e.code === "KeyO")) return "new-chat";
    return null;
  }
  if (e.key === "Escape" && !e.ctrlKey && !e.metaKey && !e.altKey && !e.shiftKey) return "stop-reply";
  return null;
}

/** How to write a shortcut for this platform ("⌘K" on Apple devices, "Ctrl K" elsewhere). */
export function shortcutLabel(shortcut: Shortcut, apple: boolean): string {
  switch (shortcut) {
    case "focus-search":
      return apple ? "⌘K" : "Ctrl K";
    case "new-chat":
      return apple ? "⌘⇧O" : "Ctrl Shift O";
    case "stop-reply":
      return "Esc";
  }
}

export function isApplePlatform(nav: { platform?: string; userAgent?: string } | undefined): boolean {
  if (!nav) return false;
  return /mac|iphone|ipad|ipod/i.test(nav.platform || nav.userAgent || "");
}
