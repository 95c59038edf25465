"use client";
// The composer's files: each picked, dropped or pasted file is checked at
// once (lib/client/attachments.ts), uploaded, and shown as a chip until the
// message is sent. A refusal, here or from the server, is said in one notice.
import { useCallback, useEffect, useRef, useState } from "react";
import type { FilePart } from "@/lib/chat/types";
import { CLIENT_LIMITS, precheckFile, sizeLabel, type FileLimits } from "@/lib/client/attachments";
import * as api from "@/lib/client/api";

export type Chip = {
  key: string;
  name: string;
  size: number;
  kind?: FilePart["kind"];
  /** A local preview of an image (object URL), revoked when the chip goes. */
  preview?: string;
  uploaded?: api.UploadedFile;
};

let seq = 0;

export function useAttachments(limits: FileLimits = CLIENT_LIMITS) {
  const [chips, setChips] = useState<Chip[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const live = useRef(chips);
  live.current = chips;

  // Object URLs die with the component.
  useEffect(() => () => live.current.forEach((c) => c.preview && URL.revokeObjectURL(c.preview)), []);

  const add = useCallback(
    async (files: File[]) => {
      setNotice(null);
      for (const file of files) {
        const now = live.current;
        if (now.length >= limits.perMessage) {
          setNotice(limits.perMessage ? `A message may carry at most ${limits.perMessage} files.` : "Attachments are turned off on this server.");
          return;
        }
        const total = now.reduce((n, c) => n + c.size, 0) + file.size;
        if (total > limits.bytesPerMessage) {
          setNotice(`"${file.name}" would make this message's files larger than ${sizeLabel(limits.bytesPerMessage)} together.`);
          continue;
        }
        const head = new Uint8Array(await file.slice(0, 4096).arrayBuffer());
        const check = precheckFile(file, head, limits);
        if (!check.ok) {
          setNotice(check.message);
          continue;
        }
        const key = `file-${++seq}`;
        const preview = check.kind === "image" ? URL.createObjectURL(file) : undefined;
        setChips((cs) => [...cs, { key, name: file.name, size: file.size, kind: check.kind, preview }]);
        try {
          const uploaded = await api.uploadFile(file, file.name);
          setChips((cs) => cs.map((c) => (c.key === key ? { ...c, uploaded, kind: uploaded.kind } : c)));
        } catch (e) {
          if (preview) URL.revokeObjectURL(preview);
          setChips((cs) => cs.filter((c) => c.key !== key));
          setNotice(api.describeError(e));
        }
      }
    },
    [limits],
  );

  const remove = useCallback((key: string) => {
    setChips((cs) => {
      const gone = cs.find((c) => c.key === key);
      if (gone?.preview) URL.revokeObjectURL(gone.preview);
      return cs.filter((c) => c.key !== key);
    });
  }, []);

  /** Empties the box after a send (the previews stay valid for the sent message until reload). */
  const clear = useCallback(() => setChips([]), []);
  /** Puts chips back after a refused send. */
  const restore = useCallback((back: Chip[]) => setChips((cs) => (cs.length ? cs : back)), []);

  const uploading = chips.some((c) => !c.uploaded);
  const parts: FilePart[] = chips.flatMap((c) => (c.uploaded ? [toPart(c.uploaded)] : []));
  return { chips, parts, uploading, notice, dismissNotice: () => setNotice(null), add, remove, clear, restore };
}

export function toPart(f: api.UploadedFile): FilePart {
  return {
    type: "file",
    fileId: f.id,
    name: f.name,
    mediaType: f.mediaType,
    size: f.size,
    kind: f.kind,
    ...(f.width ? { width: f.width, height: f.height } : {}),
    ...(f.pages ? { pages: f.pages } : {}),
  };
}
