// Browser-side calls for Tether API keys (docs/API.md, "API keys"): list,
// create (the only answer that carries a secret) and revoke.
import type { ApiKeyInfo } from "../gateway/keys";
import { apiJson } from "./api";

export type { ApiKeyInfo };

export const listApiKeys = async () => (await apiJson<{ keys: ApiKeyInfo[] }>("/api/keys")).keys;
export const createApiKey = (name: string) => apiJson<{ key: ApiKeyInfo; secret: string }>("/api/keys", "POST", { name });
export const revokeApiKey = async (id: string) => (await apiJson<{ key: ApiKeyInfo }>(`/api/keys/${encodeURIComponent(id)}`, "DELETE")).key;

/** What the settings card shows a new key's owner: the SDK pointed at this Tether. */
export const sdkSnippet = (origin: string, secret: string) => `new Anthropic({\n  baseURL: ${JSON.stringify(origin)},\n  apiKey: ${JSON.stringify(secret)},\n})`;
