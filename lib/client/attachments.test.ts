import { describe, expect, it } from "vitest";
import { precheckFile } from "./attachments";
import { pdf, png } from "../testing/file-bytes";

const enc = (s: string) => new TextEncoder().encode(s);

describe("the composer's pre-checks", () => {
  it("accepts images, PDFs and text within the limits", () => {
    expect(precheckFile({ name: "a.png", size: 100, type: "image/png" }, png(2, 2))).toEqual({ ok: true, kind: "image" });
    expect(precheckFile({ name: "a.pdf", size: 100, type: "application/pdf" }, pdf(1))).toEqual({ ok: true, kind: "pdf" });
    expect(precheckFile({ name: "a.ts", size: 10, type: "" }, enc("const x = 1;"))).toEqual({ ok: true, kind: "text" });
  });

  it("refuses a disguised .png, a binary, and what is too large, saying why", () => {
    const fake = precheckFile({ name: "cat.png", size: 20, type: "image/png" }, enc("#!/bin/sh\necho hi"));
    expect(fake).toMatchObject({ ok: false, message: expect.stringMatching(/cat\.png.*not/) });
    expect(precheckFile({ name: "x.bin", size: 8, type: "" }, new Uint8Array([0x7f, 0x45, 0, 0]))).toMatchObject({ ok: false });
    expect(precheckFile({ name: "big.png", size: 4_000_000, type: "image/png" }, png(2, 2))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/too large \(3\.81 MB\).*at most 3\.75 MB/),
    });
    expect(precheckFile({ name: "e.txt", size: 0, type: "" }, new Uint8Array())).toMatchObject({ ok: false });
  });

  it("follows the server's limits when the page passes them", () => {
    const tight = { imageBytes: 50, pdfBytes: 50, textBytes: 5, perMessage: 1, bytesPerMessage: 100 };
    expect(precheckFile({ name: "a.txt", size: 6, type: "" }, enc("abcdef"), tight)).toMatchObject({ ok: false, message: expect.stringMatching(/at most 5 B/) });
    expect(precheckFile({ name: "a.txt", size: 5, type: "" }, enc("abcde"), tight)).toEqual({ ok: true, kind: "text" });
  });
});
