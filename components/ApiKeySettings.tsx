"use client";
// Settings → API keys: an account's keys for the Anthropic-compatible
// gateway (docs/API.md, "API keys"). A new key's secret is shown here once,
// right after it is made, and never again (the server keeps only its hash);
// the list tells keys apart by name and prefix. Guests make none: a key would
// outlive their session.
import Link from "next/link";
import { useState, useSyncExternalStore } from "react";
import { describeError } from "@/lib/client/api";
import { createApiKey, revokeApiKey, sdkSnippet, type ApiKeyInfo } from "@/lib/client/api-keys";
import { copyText } from "@/lib/client/clipboard";
import { messageTime } from "@/lib/client/message-time";
import { ConfirmDialog } from "./ConfirmDialog";
import { SettingsCard } from "./SettingsCard";

const noSubscription = () => () => {};
const button = "rounded-lg px-3 py-1.5 text-sm font-medium shadow-sm disabled:cursor-not-allowed disabled:opacity-50";
const primary = `${button} bg-clay-600 text-white hover:bg-clay-700`;
const secondary = `${button} border border-zinc-300 bg-white text-zinc-700 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800`;
const field =
  "rounded-lg border border-zinc-300 bg-white px-2.5 py-1.5 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-clay-600";

type Fresh = { key: ApiKeyInfo; secret: string };

/** `maxKeys`: MAX_API_KEYS_PER_USER, passed by the page (lib/gateway/keys.ts is server code). */
export function ApiKeySettings({ guest, initialKeys, maxKeys }: { guest: boolean; initialKeys: ApiKeyInfo[]; maxKeys: number }) {
  const [keys, setKeys] = useState(initialKeys);
  const [name, setName] = useState("");
  const [fresh, setFresh] = useState<Fresh | null>(null);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyInfo | null>(null);
  const [revokeBusy, setRevokeBusy] = useState(false);
  const [revokeError, setRevokeError] = useState<string | null>(null);
  const active = keys.filter((k) => !k.revokedAt).length;

  const create = async () => {
    setCreating(true);
    setError(null);
    try {
      const made = await createApiKey(name);
      setKeys((ks) => [made.key, ...ks]);
      setFresh(made);
      setName("");
    } catch (e) {
      setError(describeError(e));
    } finally {
      setCreating(false);
    }
  };

  const revoke = async (key: ApiKeyInfo) => {
    setRevokeBusy(true);
    setRevokeError(null);
    try {
      const revoked = await revokeApiKey(key.id);
      setKeys((ks) => ks.map((k) => (k.id === revoked.id ? revoked : k)));
      if (fresh?.key.id === revoked.id) setFresh(null);
      setRevoking(null);
    } catch (e) {
      setRevokeError(describeError(e));
    } finally {
      setRevokeBusy(false);
    }
  };

  return (
    <SettingsCard id="api-keys" title="API keys" testId="api-key-settings">
      <p className="px-4 pt-4 text-sm text-zinc-500 dark:text-zinc-400">
        Use Tether from your own code through the Anthropic SDK. A key acts as you: anyone who has it can start conversations in your account until you revoke it.
      </p>
      {guest ? (
        <p className="px-4 py-4 text-sm" data-testid="api-keys-guest">
          <Link href="/signup" className="font-medium text-clay-700 hover:underline dark:text-clay-400">
            Sign up to create API keys.
          </Link>
        </p>
      ) : (
        <>
          <form
            className="flex flex-wrap items-end gap-2 px-4 py-4"
            onSubmit={(e) => {
              e.preventDefault();
              void create();
            }}
          >
            <div className="flex min-w-0 flex-1 flex-col gap-1">
              <label htmlFor="api-key-name" className="text-sm font-medium">
                Name
              </label>
              <input
                id="api-key-name"
                data-testid="api-key-name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                placeholder="For example: laptop, CI"
                autoComplete="off"
                className={`${field} w-full`}
              />
            </div>
            <button type="submit" data-testid="api-key-create" disabled={creating || name.trim() === "" || active >= maxKeys} className={primary}>
              {creating ? "Creating…" : "Create key"}
            </button>
          </form>
          <p role="status" className="px-4 text-sm not-empty:-mt-2 not-empty:pb-4">
            {error && <span className="text-red-700 dark:text-red-400">Could not create the key: {error}</span>}
            {!error && active >= maxKeys && (
              <span className="text-zinc-600 dark:text-zinc-400">You have {maxKeys} active keys, the most there can be. Revoke one to make another.</span>
            )}
          </p>
          {fresh && <NewKey fresh={fresh} onDone={() => setFresh(null)} />}
          <KeyList
            keys={keys}
            onRevoke={(k) => {
              setRevokeError(null);
              setRevoking(k);
            }}
          />
        </>
      )}
      <ConfirmDialog
        open={revoking !== null}
        testId="api-key-revoke-dialog"
        title={`Revoke “${revoking?.name ?? ""}”?`}
        confirmLabel="Revoke"
        busyLabel="Revoking…"
        busy={revokeBusy}
        error={revokeError}
        onConfirm={() => revoking && void revoke(revoking)}
        onClose={() => setRevoking(null)}
      >
        <p>
          Programs using the key <span className="font-mono">{revoking?.prefix}…</span> will be refused from now on. This cannot be undone.
        </p>
      </ConfirmDialog>
    </SettingsCard>
  );
}

/** The secret of the key just made, its only showing, with how to use it. */
function NewKey({ fresh, onDone }: { fresh: Fresh; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  return (
    <div data-testid="api-key-new" className="mx-4 mb-4 rounded-lg border border-amber-300 bg-amber-50 p-3 dark:border-amber-900 dark:bg-amber-950/40">
      <p className="text-sm font-medium text-amber-900 dark:text-amber-200">Copy this key now. You won&apos;t be able to see it again.</p>
      <div className="mt-2 flex gap-2">
        <label htmlFor="api-key-secret" className="sr-only">
          API key “{fresh.key.name}”
        </label>
        <input
          id="api-key-secret"
          data-testid="api-key-secret"
          readOnly
          value={fresh.secret}
          onFocus={(e) => e.currentTarget.select()}
          className={`${field} min-w-0 flex-1 font-mono text-xs`}
        />
        <button type="button" data-testid="api-key-copy" onClick={async () => setCopied(await copyText(fresh.secret))} className={primary}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <p className="mt-3 text-sm text-zinc-700 dark:text-zinc-300">Use it with the Anthropic SDK:</p>
      <pre
        data-testid="api-key-snippet"
        className="mt-1 rounded-md break-all whitespace-pre-wrap bg-white px-2.5 py-2 font-mono text-xs text-zinc-800 dark:bg-zinc-950 dark:text-zinc-200"
      >
        <code>{sdkSnippet(origin, fresh.secret)}</code>
      </pre>
      <div className="mt-3 flex justify-end">
        <button type="button" data-testid="api-key-done" onClick={onDone} className={secondary}>
          Done
        </button>
      </div>
      <p role="status" className="sr-only">
        {copied ? "Key copied" : ""}
      </p>
    </div>
  );
}

function KeyList({ keys, onRevoke }: { keys: ApiKeyInfo[]; onRevoke(key: ApiKeyInfo): void }) {
  // The reader's time zone: formatted in the browser only (the server's would differ).
  const inBrowser = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const when = (iso: string) => (inBrowser ? messageTime(iso, new Date()) : undefined);
  const time = (iso: string) => (
    <time dateTime={iso} title={when(iso)?.full}>
      {when(iso)?.short ?? "…"}
    </time>
  );
  if (keys.length === 0) return <p className="border-t border-zinc-200 px-4 py-4 text-sm text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">No keys yet.</p>;
  return (
    <ul data-testid="api-key-list" className="divide-y divide-zinc-200 border-t border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
      {keys.map((k) => (
        <li
          key={k.id}
          data-testid="api-key-item"
          data-revoked={k.revokedAt ? "true" : undefined}
          className="flex flex-wrap items-center justify-between gap-x-3 gap-y-2 px-4 py-3"
        >
          <div className={`min-w-0 ${k.revokedAt ? "text-zinc-400 dark:text-zinc-500" : ""}`}>
            <p className="font-medium break-words">
              {k.name}
              {k.revokedAt && (
                <span className="ml-2 rounded bg-zinc-100 px-1.5 py-0.5 text-xs font-normal text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400">Revoked</span>
              )}
            </p>
            <p className={`mt-0.5 text-xs ${k.revokedAt ? "" : "text-zinc-500 dark:text-zinc-400"}`}>
              <span className="font-mono" data-testid="api-key-prefix">
                {k.prefix}…
              </span>
              <span aria-hidden> · </span>Created {time(k.createdAt)}
              <span aria-hidden> · </span>
              {k.revokedAt ? <>Revoked {time(k.revokedAt)}</> : <>Last used {k.lastUsedAt ? time(k.lastUsedAt) : "never"}</>}
            </p>
          </div>
          {!k.revokedAt && (
            <button
              type="button"
              data-testid="api-key-revoke"
              aria-label={`Revoke ${k.name}`}
              onClick={() => onRevoke(k)}
              className={`${secondary} text-red-700! dark:text-red-400!`}
            >
              Revoke
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
