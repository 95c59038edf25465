"use client";
// The user's default model and custom instructions (docs/API.md, "Models and
// instructions"): the model of every conversation that chose none, and text
// sent at the start of every conversation's system prompt.
import { useEffect, useState } from "react";
import * as api from "@/lib/client/api";
import { MAX_INSTRUCTIONS_CHARS } from "@/lib/chat/types";
import type { ModelInfo } from "@/lib/llm/types";
import { SettingsCard } from "./SettingsCard";

type Props = { initialDefaultModel: string | null; initialInstructions: string };
type Status = { kind: "idle" } | { kind: "saving" } | { kind: "saved"; what: string } | { kind: "error"; message: string };

const field = "rounded-lg border border-zinc-300 bg-white text-sm dark:border-zinc-700 dark:bg-zinc-950";

export function ModelSettings({ initialDefaultModel, initialInstructions }: Props) {
  const [catalog, setCatalog] = useState<{ models: ModelInfo[]; defaultModel: string } | null>(null);
  const [model, setModel] = useState(initialDefaultModel);
  const [instructions, setInstructions] = useState(initialInstructions);
  const [savedInstructions, setSavedInstructions] = useState(initialInstructions);
  const [savedModel, setSavedModel] = useState(initialDefaultModel);
  const [status, setStatus] = useState<Status>({ kind: "idle" });

  useEffect(() => {
    let live = true;
    api.listModels().then(
      (c) => live && setCatalog(c),
      (e: unknown) => live && setStatus({ kind: "error", message: api.describeError(e) }),
    );
    return () => {
      live = false;
    };
  }, []);

  const save = async (patch: Partial<api.UserSettings>, what: string) => {
    setStatus({ kind: "saving" });
    try {
      const saved = await api.updateSettings(patch);
      setModel(saved.defaultModel);
      setSavedModel(saved.defaultModel);
      setSavedInstructions(saved.instructions);
      setStatus({ kind: "saved", what });
    } catch (e) {
      // The picker shows what is saved, not the refused choice.
      if (patch.defaultModel !== undefined) setModel(savedModel);
      setStatus({ kind: "error", message: api.describeError(e) });
    }
  };

  const deployment = catalog?.models.find((m) => m.id === catalog.defaultModel)?.displayName ?? catalog?.defaultModel;
  const listed = catalog?.models ?? [];
  const models = model && !listed.some((m) => m.id === model) ? [...listed, { id: model, displayName: model, createdAt: null }] : listed;

  return (
    <SettingsCard id="model" title="Model and instructions">
      <div className="flex flex-col gap-2 px-4 pt-4 sm:flex-row sm:items-start sm:justify-between sm:gap-4">
        <div>
          <label htmlFor="default-model" className="font-medium">
            Default model
          </label>
          <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">For conversations that have not chosen one.</p>
        </div>
        <select
          id="default-model"
          data-testid="default-model"
          value={model ?? ""}
          disabled={!catalog}
          onChange={(e) => {
            const next = e.target.value || null;
            setModel(next);
            void save({ defaultModel: next }, "Default model");
          }}
          className={`${field} px-2 py-1.5 sm:max-w-[16rem]`}
        >
          <option value="">{deployment ? `${deployment} (the app's default)` : "The app's default"}</option>
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.displayName}
            </option>
          ))}
        </select>
      </div>
      <form
        className="px-4 pt-5"
        onSubmit={(e) => {
          e.preventDefault();
          void save({ instructions }, "Instructions");
        }}
      >
        <label htmlFor="instructions" className="font-medium">
          Custom instructions
        </label>
        <p id="instructions-help" className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
          Sent to Claude at the start of every conversation, before the conversation&apos;s own system prompt.
        </p>
        <textarea
          id="instructions"
          data-testid="instructions-input"
          aria-describedby="instructions-help"
          value={instructions}
          maxLength={MAX_INSTRUCTIONS_CHARS}
          rows={5}
          onChange={(e) => setInstructions(e.target.value)}
          placeholder="For example: Answer briefly. I write TypeScript and prefer examples in it."
          className={`${field} mt-2 w-full resize-y px-3 py-2`}
        />
        <div className="mt-2 flex items-center justify-end gap-3 text-xs">
          <span className="mr-auto text-zinc-600 dark:text-zinc-400">
            {instructions.length.toLocaleString()} / {MAX_INSTRUCTIONS_CHARS.toLocaleString()}
          </span>
          <button
            type="submit"
            data-testid="instructions-save"
            disabled={instructions === savedInstructions || status.kind === "saving"}
            className="rounded-md bg-clay-600 px-3 py-1.5 text-xs font-medium text-white hover:bg-clay-700 disabled:opacity-50"
          >
            Save instructions
          </button>
        </div>
      </form>
      <p role="status" data-testid="model-settings-status" className="min-h-9 px-4 pt-2 pb-3 text-sm">
        {status.kind === "saving" && <span className="text-zinc-600 dark:text-zinc-400">Saving…</span>}
        {status.kind === "saved" && <span className="text-emerald-700 dark:text-emerald-400">{status.what} saved.</span>}
        {status.kind === "error" && <span className="text-red-700 dark:text-red-400">Could not save: {status.message}</span>}
      </p>
    </SettingsCard>
  );
}
