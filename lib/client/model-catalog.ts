// The tab's copy of GET /api/models (docs/API.md): fetched once and shared by
// everything that names a model (the picker, each reply's model, the demo
// badge), so a conversation of fifty replies asks once. A failed fetch is
// forgotten, so the next caller asks again.
import { listModels, type ModelCatalog } from "./api";

let current: ModelCatalog | null = null;
let loading: Promise<ModelCatalog> | null = null;
const listeners = new Set<() => void>();

/** The catalog, fetched on the first call. */
export function loadModelCatalog(fetchList: () => Promise<ModelCatalog> = listModels): Promise<ModelCatalog> {
  loading ??= fetchList().then(
    (catalog) => {
      current = catalog;
      for (const listener of listeners) listener();
      return catalog;
    },
    (e: unknown) => {
      loading = null;
      throw e;
    },
  );
  return loading;
}

/** The catalog once loaded, else null (for useSyncExternalStore). */
export const currentModelCatalog = (): ModelCatalog | null => current;

export function subscribeModelCatalog(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A model's display name ("Claude Sonnet 5.5") when the catalog lists it, else its id. */
export function modelName(catalog: Pick<ModelCatalog, "models"> | null, id: string): string {
  return catalog?.models.find((m) => m.id === id)?.displayName ?? id;
}

/** Forgets the catalog (tests). */
export function resetModelCatalog(): void {
  current = null;
  loading = null;
}
