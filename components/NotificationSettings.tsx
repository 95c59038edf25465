"use client";
// Notifications when a reply ends while Tether is in the background
// (lib/client/reply-notices.ts). Kept in this browser: the browser's
// permission is per browser too. Turning it on asks for that permission.
import { useEffect, useState } from "react";
import { NOTIFY_KEY } from "@/lib/client/reply-notices";
import { notificationsOn } from "./useReplyNotices";
import { SettingsCard, SWITCH } from "./SettingsCard";

type Support = "unknown" | "unsupported" | "denied" | "ok";

export function NotificationSettings() {
  const [on, setOn] = useState(false);
  const [support, setSupport] = useState<Support>("unknown");
  useEffect(() => {
    if (typeof Notification === "undefined") return setSupport("unsupported");
    setSupport(Notification.permission === "denied" ? "denied" : "ok");
    setOn(notificationsOn());
  }, []);

  const change = async (next: boolean) => {
    if (next && Notification.permission !== "granted") {
      const answer = await Notification.requestPermission();
      if (answer !== "granted") {
        setSupport(answer === "denied" ? "denied" : "ok");
        return;
      }
    }
    localStorage.setItem(NOTIFY_KEY, next ? "on" : "off");
    setOn(next);
  };

  return (
    <SettingsCard id="notifications" title="Notifications" testId="notification-settings">
      <div className="flex items-start justify-between gap-4 px-4 py-4">
        <div>
          <label htmlFor="notify-toggle" className="font-medium">
            Notify me when a reply is ready
          </label>
          <p id="notify-help" className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
            When a reply ends while Tether is in a background tab, your browser shows a notification. Kept in this browser. The tab&apos;s title counts new replies either
            way.
          </p>
          {support === "denied" && (
            <p role="alert" data-testid="notify-denied" className="mt-2 text-sm text-red-700 dark:text-red-400">
              This browser blocks notifications from this site. Allow them in its site settings, then turn this on.
            </p>
          )}
          {support === "unsupported" && <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">This browser cannot show notifications.</p>}
        </div>
        <input
          id="notify-toggle"
          type="checkbox"
          role="switch"
          data-testid="notify-toggle"
          aria-describedby="notify-help"
          disabled={support === "unknown" || support === "unsupported" || support === "denied"}
          checked={on}
          onChange={(e) => void change(e.target.checked)}
          className={SWITCH}
        />
      </div>
    </SettingsCard>
  );
}
