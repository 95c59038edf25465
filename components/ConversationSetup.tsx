"use client";
// Above the composer: the conversation's model and its system prompt
// (docs/API.md, "Models and instructions"). In a conversation each change is
// saved at once; in a new chat ("/") the choice is kept here and sent when
// the first message creates the conversation. With the demo model, a badge
// says its replies are canned (ModelBadge).
import { useEffect, useId, useState } from "react";
import * as api from "@/lib/client/api";
import { MAX_SYSTEM_PROMPT_CHARS } from "@/lib/chat/types";
import { loadModelCatalog } from "@/lib/client/model-catalog";
import type { ModelInfo } from "@/lib/llm/types";
import { ModelBadge } from "./ModelBadge";

export type Setup = { model: string | null; systemPrompt: string };

type Props = {
  conversationId: string | null;
  setup: Setup;
  onChange: (setup: Setup) => void;
  /** The user's default model (settings); null: the deployment's. */
  userDefaultModel: string | null;
  disabled?: boolean;
};

type Catalog = { models: ModelInfo[]; defaultModel: string };

const control =
  "rounded-md border border-zinc-300 bg-white px-2 py-1 text-xs text-zinc-700 hover:border-zinc-400 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-orange-600 disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-300";

export function ConversationSetup({ conversationId, setup, onChange, userDefaultModel, disabled }: Props) {
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(setup.systemPrompt);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const panelId = useId();

  useEffect(() => {
    let live = true;
    loadModelCatalog().then(
      (c) => live && setCatalog(c),
      (e: unknown) => live && setError(api.describeError(e)),
    );
    return () => {
      live = false;
    };
  }, []);

  const save = async (next: Setup, patch: api.ConversationSetup): Promise<boolean> => {
    setError(null);
    if (!conversationId) return (onChange(next), true);
    setSaving(true);
    try {
      const saved = await api.updateConversation(conversationId, patch);
      onChange({ model: saved.model, systemPrompt: saved.systemPrompt });
      return true;
    } catch (e) {
      setError(api.describeError(e));
      return false;
    } finally {
      setSaving(false);
    }
  };

  const nameOf = (id: string) => catalog?.models.find((m) => m.id === id)?.displayName ?? id;
  const fallback = userDefaultModel && catalog?.models.some((m) => m.id === userDefaultModel) ? userDefaultModel : catalog?.defaultModel;
  const models = catalog?.models ?? [];
  // A model chosen earlier that left the list still shows as chosen.
  const listed = setup.model && !models.some((m) => m.id === setup.model) ? [...models, { id: setup.model, displayName: setup.model, createdAt: null }] : models;
  const hasPrompt = setup.systemPrompt.trim() !== "";

  return (
    <div className="mx-auto w-full max-w-3xl px-4 sm:px-6" data-testid="conversation-setup">
      <div className="flex flex-wrap items-center gap-2 pb-1.5 text-xs text-zinc-500 dark:text-zinc-400">
        <label htmlFor={`${panelId}-model`}>Model</label>
        <select
          id={`${panelId}-model`}
          data-testid="model-picker"
          value={setup.model ?? ""}
          disabled={disabled || saving || !catalog}
          onChange={(e) => void save({ ...setup, model: e.target.value || null }, { model: e.target.value || null })}
          className={`${control} max-w-[14rem] truncate`}
        >
          <option value="">{fallback ? `Default (${nameOf(fallback)})` : "Default"}</option>
          {listed.map((m) => (
            <option key={m.id} value={m.id}>
              {m.displayName}
            </option>
          ))}
        </select>
        <button
          type="button"
          data-testid="system-prompt-button"
          aria-expanded={editing}
          aria-controls={`${panelId}-panel`}
          disabled={disabled}
          onClick={() => {
            setDraft(setup.systemPrompt);
            setEditing((o) => !o);
          }}
          className={control}
        >
          System prompt{hasPrompt && <span className="ml-1 inline-block h-1.5 w-1.5 rounded-full bg-clay-600 align-middle" aria-label="(set)" />}
        </button>
        {error && (
          <span role="alert" data-testid="setup-error" className="text-red-700 dark:text-red-400">
            {error}
          </span>
        )}
        <ModelBadge />
      </div>
      {editing && (
        <form
          id={`${panelId}-panel`}
          data-testid="system-prompt-editor"
          className="mb-2 rounded-xl border border-zinc-200 bg-white p-3 shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await save({ ...setup, systemPrompt: draft }, { systemPrompt: draft })) setEditing(false);
          }}
        >
          <label htmlFor={`${panelId}-text`} className="text-sm font-medium">
            System prompt for this conversation
          </label>
          <p className="mt-0.5 text-xs text-zinc-500 dark:text-zinc-400">Sent with every reply here, after your instructions from Settings.</p>
          <textarea
            id={`${panelId}-text`}
            data-testid="system-prompt-input"
            value={draft}
            maxLength={MAX_SYSTEM_PROMPT_CHARS}
            rows={4}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                e.stopPropagation();
                setEditing(false);
              }
            }}
            className="mt-2 w-full resize-y rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-950"
            placeholder="For example: You are a careful reviewer of Rust code."
          />
          <div className="mt-2 flex items-center justify-end gap-2 text-xs">
            <span className="mr-auto text-zinc-600 dark:text-zinc-400">
              {draft.length.toLocaleString()} / {MAX_SYSTEM_PROMPT_CHARS.toLocaleString()}
            </span>
            <button type="button" onClick={() => setEditing(false)} className={control}>
              Cancel
            </button>
            <button
              type="submit"
              data-testid="system-prompt-save"
              disabled={saving}
              className="rounded-md bg-clay-600 px-3 py-1 text-xs font-medium text-white hover:bg-clay-700 disabled:opacity-50"
            >
              {saving ? "Saving…" : "Save"}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
