// What a hidden tab does when one of the user's replies ends (docs/PROTOCOL.md
// §4.8 tells every tab): its title counts the replies that ended since it was
// last looked at ("(2) Tether"), and, when the user turned it on in Settings
// and the browser allows it, a notification says so. A reply the user stopped
// is no news. No React here (useReplyNotices binds it to the page).
import type { TabEvent } from "./user-events";

export const NOTIFY_KEY = "tether:notify";

/** The page as this needs it (the real one in the browser, a stand-in in tests). */
export type NoticeSurface = {
  hidden(): boolean;
  getTitle(): string;
  setTitle(title: string): void;
  /** Whether notifications are on in Settings and allowed by the browser. */
  mayNotify(): boolean;
  notify(title: string, o: { body: string; tag: string; conversationId: string }): void;
  /** The chat's title, for the notification's text. */
  titleOf(conversationId: string): Promise<string | null>;
};

const PREFIX = /^\(\d+\) /;
const HEADLINE = { complete: "Claude replied", interrupted: "A reply was interrupted", failed: "A reply failed" } as const;

export class ReplyNotices {
  private unseen = 0;

  constructor(private readonly page: NoticeSurface) {}

  /** Feed every event of the tab's stream. */
  onEvent(e: TabEvent): void {
    if (e.event !== "reply.ended" || e.data.status === "stopped" || !this.page.hidden()) return;
    this.unseen++;
    this.showCount();
    if (!this.page.mayNotify()) return;
    const { conversationId, messageId, status } = e.data;
    void this.page
      .titleOf(conversationId)
      .catch(() => null)
      .then((title) => {
        // One notice per reply however many tabs are open: the same tag replaces.
        this.page.notify(HEADLINE[status], { body: title ?? "Open Tether to read it.", tag: `reply-${messageId}`, conversationId });
      });
  }

  /** The page is seen again: the count goes. */
  onVisible(): void {
    this.unseen = 0;
    this.showCount();
  }

  /** Keeps the count in front of whatever title the page sets meanwhile. */
  showCount(): void {
    const bare = this.page.getTitle().replace(PREFIX, "");
    const next = this.unseen > 0 ? `(${this.unseen}) ${bare}` : bare;
    if (next !== this.page.getTitle()) this.page.setTitle(next);
  }
}
