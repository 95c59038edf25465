// The fake upstream takes image and document blocks as the Messages API does
// and refuses malformed ones with the API's 400 shape, seen through the real
// SDK (the way the app meets it).
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "./fake-anthropic";
import { gif, pdf, png, pngHeader } from "./file-bytes";

let fake: FakeAnthropic;
let client: Anthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
  client = new Anthropic({ apiKey: "sk-test", baseURL: fake.url, maxRetries: 0 });
});
afterAll(async () => {
  await fake.close();
});

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
type Block = Anthropic.ContentBlockParam;
const send = (content: Block[], role: "user" | "assistant" = "user") =>
  client.messages.create({
    model: "claude-haiku-4-5",
    max_tokens: 10,
    messages:
      role === "user"
        ? [{ role, content }]
        : [
            { role: "user", content: "hi" },
            { role, content },
          ],
  });
const image = (media_type: string, data: string): Block => ({ type: "image", source: { type: "base64", media_type: media_type as "image/png", data } });
const doc = (data: string): Block => ({ type: "document", source: { type: "base64", media_type: "application/pdf", data } });

async function refusal(content: Block[], role?: "user" | "assistant"): Promise<string> {
  const e = await send(content, role).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Anthropic.BadRequestError);
  const err = e as InstanceType<typeof Anthropic.BadRequestError>;
  expect(err.status).toBe(400);
  expect((err.error as { type: string; error: { type: string } }).error.type).toBe("invalid_request_error");
  return (err.error as { error: { message: string } }).error.message;
}

describe("image and document blocks at the fake upstream", () => {
  it("accepts well-formed ones and records their exact data", async () => {
    const p = png(3, 3);
    const d = pdf(1);
    fake.enqueue({ text: "ok" });
    const msg = await send([image("image/png", b64(p)), doc(b64(d)), { type: "text", text: "what?" }]);
    expect(msg.content).toEqual([expect.objectContaining({ type: "text", text: "ok" })]);
    const content = fake.requests.at(-1)!.body.messages[0].content;
    expect(content[0].source.data).toBe(b64(p));
    expect(content[1].source.data).toBe(b64(d));
  });

  it("refuses what the API refuses, with its messages", async () => {
    expect(await refusal([image("image/bmp", b64(png(2, 2)))])).toMatch(/media_type: Input should be 'image\/jpeg'/);
    expect(await refusal([image("image/png", b64(gif(2, 2)))])).toMatch(/does not match the provided media type image\/png/);
    expect(await refusal([image("image/png", "not base64!")])).toMatch(/not valid base64/);
    expect(await refusal([image("image/png", b64(pngHeader(8001, 2)))])).toMatch(/exceed max allowed size: 8000 pixels/);
    expect(await refusal([image("image/png", "A".repeat(5 * 1024 * 1024 + 4))])).toMatch(/image exceeds 5 MB maximum/);
    expect(await refusal([doc(b64(new TextEncoder().encode("#!/bin/sh")))])).toMatch(/The PDF specified was not valid/);
    expect(await refusal([image("image/png", b64(png(2, 2)))], "assistant")).toMatch(/only allowed in user messages/);
  });

  it("answers a request over 32 MB with 413 request_too_large, as the API does", async () => {
    const e = await send([{ type: "text", text: "x".repeat(32 * 1024 * 1024 + 1) }]).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(Anthropic.APIError);
    expect((e as InstanceType<typeof Anthropic.APIError>).status).toBe(413);
    expect(((e as InstanceType<typeof Anthropic.APIError>).error as { error: { type: string } }).error.type).toBe("request_too_large");
  });
});
