// The Messages API's rules for image and document blocks, for the fake
// upstream: a base64 source with a supported media type that matches the
// bytes, at most 5 MB of base64 per image and 8000 px per side, PDFs that
// are PDFs, only in user turns. Messages follow the API's wording.
import { sniff } from "../files/sniff";

export const IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];
export const MAX_IMAGE_BASE64 = 5 * 1024 * 1024;
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

type Source = { type?: string; media_type?: string; data?: unknown; url?: string };
type FileBlock = { type?: string; source?: Source };

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

function decoded(data: unknown): Buffer | null {
  if (typeof data !== "string" || data.length === 0 || data.length % 4 !== 0 || !BASE64_RE.test(data)) return null;
  return Buffer.from(data, "base64");
}

/** The problem with an image or document block at `where` (e.g. "messages.0.content.1"), or undefined. */
export function fileBlockProblem(block: FileBlock, where: string, role: string): string | undefined {
  if (block.type !== "image" && block.type !== "document") return undefined;
  if (role !== "user") return `${where}: ${block.type} blocks are only allowed in user messages`;
  const s = block.source;
  if (!s || typeof s !== "object") return `${where}.${block.type}.source: Field required`;
  if (block.type === "image") {
    if (s.type !== "base64")
      return `${where}.image.source: Input tag '${String(s.type)}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'`;
    if (!IMAGE_TYPES.includes(String(s.media_type)))
      return `${where}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
    if (typeof s.data === "string" && s.data.length > MAX_IMAGE_BASE64)
      return `${where}.image.source.base64: image exceeds 5 MB maximum: ${s.data.length} bytes > ${MAX_IMAGE_BASE64} bytes`;
    const bytes = decoded(s.data);
    if (!bytes) return `${where}.image.source.base64.data: The image data is not valid base64.`;
    const seen = sniff(bytes);
    if (seen.kind !== "image" || seen.mediaType !== s.media_type)
      return `${where}.image.source.base64.data: Image does not match the provided media type ${s.media_type}`;
    if (seen.width > 8000 || seen.height > 8000) return `${where}.image.source.base64.data: At least one of the image dimensions exceed max allowed size: 8000 pixels`;
    return undefined;
  }
  if (s.type === "base64") {
    if (s.media_type !== "application/pdf") return `${where}.document.source.base64.media_type: Input should be 'application/pdf'`;
    const bytes = decoded(s.data);
    if (!bytes || sniff(bytes).kind !== "pdf") return `${where}.document.source.base64.data: The PDF specified was not valid.`;
    return undefined;
  }
  if (s.type === "text") return typeof s.data === "string" && s.data ? undefined : `${where}.document.source.text.data: Field required`;
  return `${where}.document.source: Input tag '${String(s.type)}' found using 'type' does not match any of the expected tags: 'base64', 'text', 'content', 'url', 'file'`;
}
