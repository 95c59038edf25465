// Whether this tab can reach the server, owned in one place. Every request,
// refresh and navigation of the client reports here or goes through here:
// while the server is unreachable (a restart, a dropped network) the page
// stays, a banner says so, the health endpoint (docs/API.md) is probed with
// backoff, and once it answers what waited runs and the view is refreshed.
//
// Next.js turns a failed RSC request (router.refresh, a link) into a full
// page load, i.e. the browser's error page: next.config.mjs sets
// experimental.useOffline so a network failure waits and retries instead,
// refreshes and pushes here probe first, and guardHardNavigations() holds
// back any same-origin page load that would still happen while it is down.

export type Reachability = "online" | "unreachable";

/** Delay before the n-th probe after a failure: 0.5 s doubling to 8 s. */
export const backoffMs = (attempt: number) => Math.min(500 * 2 ** Math.max(0, attempt), 8_000);

export class ConnectionMonitor {
  private state: Reachability = "online";
  private readonly listeners = new Set<() => void>();
  private waiting: (() => void)[] = [];
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<boolean> | null = null;

  /** `check`: does the server answer now? `delay`: backoff per failed attempt. */
  constructor(
    private readonly check: () => Promise<boolean>,
    private readonly delay: (attempt: number) => number = backoffMs,
  ) {}

  getState = (): Reachability => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Asks the server now (one question at a time); a failure starts the retries. */
  probe(): Promise<boolean> {
    this.inFlight ??= this.check()
      .catch(() => false)
      .then((ok) => {
        this.inFlight = null;
        if (ok) this.reachable();
        else this.unreachable();
        return ok;
      });
    return this.inFlight;
  }

  /** A request did not reach the server: retry with backoff until it answers. */
  unreachable(): void {
    if (this.state !== "unreachable") {
      this.state = "unreachable";
      this.attempt = 0;
      this.emit();
    }
    if (this.timer === null && this.inFlight === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.probe();
      }, this.delay(this.attempt++));
    }
  }

  /** The server answered: back online, and whatever waited runs. */
  reachable(): void {
    if (this.state === "online") return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.state = "online";
    this.attempt = 0;
    this.emit();
    for (const run of this.waiting.splice(0)) run();
  }

  /** Resolves once the server is believed reachable (at once if it is). */
  whenReachable(): Promise<void> {
    if (this.state === "online") return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Ends any pending retry (tests; a page that goes away). */
  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private emit() {
    for (const listener of this.listeners) listener();
  }
}

const HEALTH_TIMEOUT_MS = 5_000;

/** The health endpoint answers 200 when the server is ready, 503 while it drains. */
export async function healthAnswers(url = "/api/health"): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), HEALTH_TIMEOUT_MS);
  try {
    const res = await fetch(url, { cache: "no-store", credentials: "same-origin", signal: abort.signal });
    return res.ok;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** This tab's connection. */
export const connection = new ConnectionMonitor(() => healthAnswers());

/** What of Next.js's router the guarded calls use. */
export type ViewRouter = { refresh(): void; push(href: string): void; replace(href: string): void };

/**
 * Re-renders the server view if the server answers. While it does not, the
 * refresh is dropped: coming back refreshes the view anyway (ConnectionBanner).
 */
export async function refreshView(router: ViewRouter): Promise<void> {
  if (connection.getState() === "online" && (await connection.probe())) router.refresh();
}

/**
 * Navigates within the app once the server answers (never a full page load),
 * unless `wanted` says by then that the page has moved on.
 */
export async function navigate(router: ViewRouter, href: string, mode: "push" | "replace" = "push", wanted = () => true): Promise<void> {
  if (!(await connection.probe())) await connection.whenReachable();
  if (wanted()) router[mode](href);
}
