// Attachments (docs/API.md#files): a user's uploaded files, checked by their
// content (sniff.ts), stored by SHA-256 (store.ts), owner-checked on every
// read — another user's file is 404 — and carried by user messages as `file`
// parts. A file joins the conversation of the first message that carries it
// and is deleted with that conversation.
import { AppError } from "../errors";
import type { Db } from "../platform/db";
import type { Config } from "../config";
import type { Attachment as AttachmentRow } from "../generated/prisma/client";
import type { FilePart } from "../chat/types";
import { claimedKind, sniff } from "./sniff";
import { contentKey, type FileStore } from "./store";
import { deleteConversation } from "../chat/conversations";
import type { UserEventSink } from "../events/types";
import { lockDataOwner } from "../auth/data-owner";

export type FileLimits = Config["files"]["limits"];

/** A file as the API shows it. */
export type FileInfo = Omit<FilePart, "type" | "fileId" | "data"> & { id: string; createdAt: string };

export function toFileInfo(row: AttachmentRow): FileInfo {
  return {
    id: row.id,
    name: row.name,
    mediaType: row.mediaType,
    size: row.size,
    kind: row.kind,
    ...(row.width != null ? { width: row.width } : {}),
    ...(row.height != null ? { height: row.height } : {}),
    ...(row.pages != null ? { pages: row.pages } : {}),
    createdAt: row.createdAt.toISOString(),
  };
}

export function toFilePart(row: AttachmentRow): FilePart {
  const { id, createdAt: _createdAt, ...rest } = toFileInfo(row);
  return { type: "file", fileId: id, ...rest };
}

/** The largest upload any kind may have: what the route reads at most. */
export const largestFile = (l: FileLimits) => Math.max(l.imageBytes, l.pdfBytes, l.textBytes);

const MIB = 1024 * 1024;
const sizeText = (n: number) => (n >= MIB ? `${Number((n / MIB).toFixed(2))} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`);

/** A file name safe to store and show: no path, no control characters, at most 200 characters. */
export function cleanName(raw: string | null): string {
  const base = (raw ?? "")
    .split(/[/\\]/)
    .pop()!
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim();
  const chars = [...base];
  return (chars.length > 200 ? chars.slice(0, 200).join("") : base) || "file";
}

/** Checks `bytes` against the limits by their content, and returns what they are; a clear 4xx otherwise. */
export function inspectFile(bytes: Uint8Array, name: string, declaredType: string | null, l: FileLimits) {
  if (bytes.byteLength === 0) throw new AppError("invalid_input", "The file is empty.");
  const s = sniff(bytes);
  const claimed = claimedKind(name, declaredType);
  const said = claimed === "image" ? "an image" : "a PDF";
  if (s.kind === "unknown" || s.kind === "text") {
    if (claimed)
      throw new AppError("unsupported_file", `"${name}" is named or typed as ${said}, but its content is not ${said} Tether accepts (PNG, JPEG, GIF, WebP or PDF).`);
    if (s.kind === "unknown") throw new AppError("unsupported_file", `"${name}" is not a supported file: images (PNG, JPEG, GIF, WebP), PDFs, and UTF-8 text or code.`);
  } else if (claimed && claimed !== s.kind) {
    throw new AppError("unsupported_file", `"${name}" is named or typed as ${said}, but its content is ${s.kind === "image" ? "an image" : "a PDF"}.`);
  }
  if (s.kind === "image") {
    if (bytes.byteLength > l.imageBytes) throw new AppError("too_large", `Images may be at most ${sizeText(l.imageBytes)} ("${name}" is ${sizeText(bytes.byteLength)}).`);
    if (s.width < 1 || s.height < 1) throw new AppError("unsupported_file", `"${name}" has no readable size.`);
    if (s.width > l.imageSidePx || s.height > l.imageSidePx)
      throw new AppError("too_large", `Images may be at most ${l.imageSidePx} pixels wide and tall ("${name}" is ${s.width}×${s.height}).`);
  } else if (s.kind === "pdf") {
    if (bytes.byteLength > l.pdfBytes) throw new AppError("too_large", `PDFs may be at most ${sizeText(l.pdfBytes)} ("${name}" is ${sizeText(bytes.byteLength)}).`);
    if (s.pages !== null && s.pages > l.pdfPages) throw new AppError("too_large", `PDFs may have at most ${l.pdfPages} pages ("${name}" has ${s.pages}).`);
  } else if (bytes.byteLength > l.textBytes) {
    throw new AppError("too_large", `Text files may be at most ${sizeText(l.textBytes)} ("${name}" is ${sizeText(bytes.byteLength)}).`);
  }
  return s as Exclude<typeof s, { kind: "unknown" }>;
}

/** Stores an upload for `userId`: the row first, then the bytes (see removeConversationFiles). */
export async function uploadFile(db: Db, store: FileStore, l: FileLimits, userId: string, f: { name: string | null; declaredType: string | null; bytes: Uint8Array }) {
  const name = cleanName(f.name);
  const s = inspectFile(f.bytes, name, f.declaredType, l);
  const row = await db.$transaction(async (tx) => {
    // Under the user's row lock, so concurrent uploads cannot pass the quota together.
    await lockDataOwner(tx, userId, "update");
    await requireRoomFor(tx, l, userId, f.bytes.byteLength);
    return tx.attachment.create({
      data: {
        userId,
        sha256: contentKey(f.bytes),
        name,
        mediaType: s.mediaType,
        size: f.bytes.byteLength,
        kind: s.kind,
        width: s.kind === "image" ? s.width : null,
        height: s.kind === "image" ? s.height : null,
        pages: s.kind === "pdf" ? s.pages : null,
      },
    });
  });
  await store.put(row.sha256, f.bytes);
  return toFileInfo(row);
}

/** MAX_FILE_BYTES_PER_USER: the user's stored files (sent or not) plus this one must fit. */
async function requireRoomFor(tx: Tx, l: FileLimits, userId: string, size: number): Promise<void> {
  if (l.bytesPerUser <= 0) return;
  const used = (await tx.attachment.aggregate({ where: { userId }, _sum: { size: true } }))._sum.size ?? 0;
  if (used + size > l.bytesPerUser) {
    throw new AppError(
      "too_large",
      `Your files already take ${sizeText(used)} of the ${sizeText(l.bytesPerUser)} you may store. Delete a conversation with files to make room.`,
    );
  }
}

/** The owner's file and its bytes; 404 for anyone else's, or a file whose bytes are gone. */
export async function readFile(db: Db, store: FileStore, userId: string, id: string) {
  const row = await db.attachment.findFirst({ where: { id, userId } });
  const bytes = row && (await store.get(row.sha256));
  if (!row || !bytes) throw new AppError("not_found", "file not found");
  return { info: toFileInfo(row), bytes };
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * Inside admission (the owner locked): the parts of the files `ids` for a
 * message in `conversationId`, in the order given. Each must be the owner's
 * (else 404) and not already in another conversation; the message's files
 * together stay within the limits. Files join the conversation.
 */
export async function attachFiles(tx: Tx, l: FileLimits, ownerId: string, conversationId: string, ids: string[]): Promise<FilePart[]> {
  if (ids.length === 0) return [];
  const unique = [...new Set(ids)];
  if (unique.length > l.perMessage) throw new AppError("too_large", `A message may carry at most ${l.perMessage} files.`);
  const rows = await tx.attachment.findMany({ where: { id: { in: unique }, userId: ownerId } });
  if (rows.length !== unique.length) throw new AppError("not_found", "file not found");
  if (rows.some((r) => r.conversationId && r.conversationId !== conversationId)) {
    throw new AppError("conflict", "A file belongs to the conversation it was first sent in: upload it again to send it here.");
  }
  const total = rows.reduce((n, r) => n + r.size, 0);
  if (total > l.bytesPerMessage) throw new AppError("too_large", `A message's files may be at most ${sizeText(l.bytesPerMessage)} together.`);
  await tx.attachment.updateMany({ where: { id: { in: unique }, conversationId: null }, data: { conversationId } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return unique.map((id) => toFilePart(byId.get(id)!));
}

/** File parts of stored parts. */
export const filePartsOf = (parts: unknown): FilePart[] => (Array.isArray(parts) ? (parts as { type?: string }[]).filter((p): p is FilePart => p?.type === "file") : []);

/**
 * The history as sent: each file part of a user message gets its content
 * (base64 for images and PDFs, the text of a text file). A file whose bytes
 * are gone is sent as a note saying so, never silently dropped.
 */
export async function withFileData<R extends { role: string; parts: unknown }>(rows: R[], store: FileStore | undefined, db: Db): Promise<R[]> {
  const wanted = rows.flatMap((r) => (r.role === "user" ? filePartsOf(r.parts) : []));
  if (!wanted.length || !store) return rows;
  const found = await db.attachment.findMany({ where: { id: { in: wanted.map((p) => p.fileId) } }, select: { id: true, sha256: true } });
  const shaOf = new Map(found.map((f) => [f.id, f.sha256]));
  const data = new Map<string, string | null>();
  for (const p of wanted) {
    if (data.has(p.fileId)) continue;
    const sha = shaOf.get(p.fileId);
    const bytes = sha ? await store.get(sha) : null;
    data.set(p.fileId, bytes ? (p.kind === "text" ? new TextDecoder().decode(bytes) : Buffer.from(bytes).toString("base64")) : null);
  }
  return rows.map((r) => {
    if (r.role !== "user" || !filePartsOf(r.parts).length) return r;
    const parts = (r.parts as FilePart[]).map((p) => (p.type === "file" ? { ...p, data: data.get(p.fileId) ?? undefined } : p));
    return { ...r, parts };
  });
}

/**
 * After the conversation's rows are gone: removes bytes no other row still
 * references. Uploads write their row before their bytes, so a new upload of
 * the same content either is counted here or rewrites the bytes after.
 */
export async function removeUnreferenced(db: Db, store: FileStore, shas: string[]): Promise<void> {
  for (const sha of new Set(shas)) {
    if ((await db.attachment.count({ where: { sha256: sha } })) === 0) await store.delete(sha);
  }
}

/** Deletes the user's conversation, its files' rows, then the bytes no other file shares. */
export async function deleteConversationAndFiles(db: Db, store: FileStore, userId: string, id: string, events?: UserEventSink): Promise<void> {
  const rows = await db.attachment.findMany({ where: { conversationId: id, userId }, select: { id: true, sha256: true } });
  await deleteConversation(db, userId, id, events); // 404 for anyone else's: nothing below runs
  await db.attachment.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } });
  await removeUnreferenced(
    db,
    store,
    rows.map((r) => r.sha256),
  );
}

const SWEEP_BATCH = 500;

/**
 * The file sweep (with the idle-data purge): rows whose user or conversation
 * is gone (SET NULL by the database), and files never sent within
 * `unsentTtlMs`, are deleted with the bytes no other row shares. Idempotent.
 */
export async function sweepFiles(db: Db, store: FileStore, o: { unsentTtlMs: number; now?: Date }): Promise<number> {
  const cutoff = new Date((o.now ?? new Date()).getTime() - o.unsentTtlMs);
  const where = { OR: [{ userId: null }, { conversationId: null, createdAt: { lt: cutoff } }] };
  let total = 0;
  for (;;) {
    const rows = await db.attachment.findMany({ where, select: { id: true, sha256: true }, take: SWEEP_BATCH });
    if (!rows.length) return total;
    const { count } = await db.attachment.deleteMany({ where: { AND: [where, { id: { in: rows.map((r) => r.id) } }] } });
    await removeUnreferenced(
      db,
      store,
      rows.map((r) => r.sha256),
    );
    total += count;
    if (rows.length < SWEEP_BATCH || count === 0) return total;
  }
}
