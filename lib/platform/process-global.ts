// The one guarded global. Next.js bundles a module once per route and, in
// development, reloads modules on every edit: what must exist once per
// process (the app's services, the logger's context store, the metrics
// registry, the schema engine's WebAssembly instance) lives in this one
// object instead of in module state.
type Slots = Record<string, unknown>;
const KEY = Symbol.for("tether.process");
const holder = globalThis as unknown as Record<symbol, Slots | undefined>;
const slots = (): Slots => (holder[KEY] ??= {});

/** The process's value in `slot`, made by `create` on first use. */
export function processSingleton<T>(slot: string, create: () => T): T {
  const s = slots();
  if (!(slot in s)) s[slot] = create();
  return s[slot] as T;
}

/** Replaces (or, with undefined, forgets) the value in `slot`. */
export function setProcessSingleton<T>(slot: string, value: T | undefined): void {
  const s = slots();
  if (value === undefined) delete s[slot];
  else s[slot] = value;
}
