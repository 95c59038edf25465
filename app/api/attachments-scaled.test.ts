// Scaled mode (PostgreSQL, Redis, an S3-compatible bucket — here a local
// s3rver): a file uploaded through one instance is read by another, reaches
// the upstream byte-exact, and its object goes with its conversation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call } from "@/lib/testing/route-client";
import { newConversation, newGuest, post } from "@/lib/testing/api-steps";
import { png, uploaded } from "@/lib/testing/file-fixtures";
import { startLocalS3, type LocalS3 } from "@/lib/testing/s3rver";
import { contentKey } from "@/lib/files/store";
import { S3FileStore } from "@/lib/files/s3-store";
import { setApp } from "@/lib/runtime";
import * as file from "@/app/api/files/[id]/route";
import * as conversation from "@/app/api/conversations/[id]/route";

const h = useRouteHarness("attachments_scaled", {}, { scaled: true });
let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3?.close();
});

describe("attachments in scaled mode", () => {
  it("are stored in the bucket, read by another instance, sent byte-exact, and deleted with their conversation", async () => {
    const restore = h.reconfigure(s3.env);
    const other = h.build(s3.env);
    try {
      const cookie = await newGuest();
      const c = await newConversation(cookie);
      const bytes = png(7, 5, 1);
      const id = await uploaded(cookie, "shared.png", bytes);
      const bucket = new S3FileStore(s3.settings);
      expect(Buffer.from((await bucket.get(contentKey(bytes)))!).equals(Buffer.from(bytes))).toBe(true);

      h.fake.enqueue({ text: "seen" });
      expect((await post(cookie, c.id, { content: "look", attachments: [id], stream: false })).status).toBe(200);
      const blocks = h.fake.requests.at(-1)!.body.messages[0].content;
      expect(blocks[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/png", data: Buffer.from(bytes).toString("base64") } });

      setApp(other); // another instance serves the file
      const got = await call(file.GET, "GET", "/", { cookie, params: { id } });
      expect(got.status).toBe(200);
      expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
      expect((await call(conversation.DELETE, "DELETE", "/", { cookie, params: { id: c.id } })).status).toBe(204);
      expect(await bucket.get(contentKey(bytes))).toBeNull();
    } finally {
      await restore();
      await other.close();
    }
  });
});
