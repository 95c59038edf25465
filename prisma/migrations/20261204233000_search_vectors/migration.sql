-- Search vectors stored with each row (docs/SECURITY.md, "Search cost"): a
-- search reads them through GIN indexes instead of running to_tsvector over
-- every message of the user on each call. Generated from the same text
-- search configuration the search queries use ('english'), so results are
-- unchanged. PostgreSQL keeps them current on every insert and update.

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN "titleVector" tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "title")) STORED;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN "searchVector" tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "content")) STORED;

-- CreateIndex
CREATE INDEX "Conversation_titleVector_idx" ON "Conversation" USING GIN ("titleVector");

-- CreateIndex
CREATE INDEX "Message_searchVector_idx" ON "Message" USING GIN ("searchVector");
