// The page-wide half of lib/client/connection.ts: what the tab does by itself
// (links, page loads, the browser's online/offline events) reported to the
// connection, so that no failed request leaves the app.
import { connection, type ConnectionMonitor } from "./connection";

// The Navigation API (Chromium, Firefox, Safari 26): not in every TypeScript DOM lib yet.
type NavigateEvent = Event & {
  cancelable: boolean;
  navigationType: "push" | "replace" | "reload" | "traverse";
  destination: { url: string; sameDocument: boolean };
  downloadRequest: string | null;
  formData: FormData | null;
};
type NavigationLike = EventTarget;

/** A page load this guard should hold back until the server answers (pure: tested). */
export function isHeldBack(e: Pick<NavigateEvent, "cancelable" | "navigationType" | "destination" | "downloadRequest" | "formData">, origin: string): boolean {
  if (!e.cancelable || e.destination.sameDocument || e.downloadRequest !== null || e.formData !== null) return false;
  if (e.navigationType !== "push" && e.navigationType !== "replace") return false;
  return new URL(e.destination.url).origin === origin;
}

/**
 * Installs the guard; returns its removal. A same-origin page load (Next.js's
 * fallback when an RSC request fails, or the app's own location.assign) is
 * let through only once the server has answered a probe; while it does not,
 * the page stays and the load happens when the server is back.
 */
export function guardConnection(monitor: ConnectionMonitor = connection): () => void {
  const cleanups: (() => void)[] = [];
  const listen = (target: EventTarget, type: string, fn: (e: Event) => void, capture = false) => {
    target.addEventListener(type, fn, capture);
    cleanups.push(() => target.removeEventListener(type, fn, capture));
  };

  const nav = (window as unknown as { navigation?: NavigationLike }).navigation;
  let passing: string | null = null;
  if (nav) {
    listen(nav, "navigate", (event) => {
      const e = event as NavigateEvent;
      if (!isHeldBack(e, location.origin)) return;
      const url = e.destination.url;
      if (passing === url) {
        passing = null;
        return;
      }
      e.preventDefault();
      const go = () => {
        passing = url;
        if (e.navigationType === "replace") location.replace(url);
        else location.assign(url);
      };
      void monitor.probe().then((ok) => (ok ? go() : monitor.whenReachable().then(go)));
    });
  }

  // A click on an in-app link starts an RSC request: ask the server alongside,
  // so the banner shows at once if it is down (Next.js retries the request).
  listen(
    document,
    "click",
    (e) => {
      const link = (e.target as Element | null)?.closest?.("a[href]");
      if (!(link instanceof HTMLAnchorElement) || link.origin !== location.origin || link.target || link.hasAttribute("download")) return;
      void monitor.probe();
    },
    true,
  );

  listen(window, "offline", () => monitor.unreachable());
  listen(window, "online", () => void monitor.probe());
  return () => cleanups.forEach((c) => c());
}
