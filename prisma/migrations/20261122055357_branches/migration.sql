-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "currentLeafId" UUID,
ADD COLUMN     "titleLocked" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "parentId" UUID;

-- Backfill: before branches, a conversation was one line, oldest first:
-- each message follows the one before it, and the newest is the leaf.
UPDATE "Message" AS m SET "parentId" = p.prev
FROM (
  SELECT id, LAG(id) OVER (PARTITION BY "conversationId" ORDER BY "createdAt", id) AS prev
  FROM "Message"
) AS p
WHERE m.id = p.id AND p.prev IS NOT NULL;

UPDATE "Conversation" AS c SET "currentLeafId" = (
  SELECT m.id FROM "Message" AS m WHERE m."conversationId" = c.id ORDER BY m."createdAt" DESC, m.id DESC LIMIT 1
);

-- CreateIndex
CREATE INDEX "Message_parentId_idx" ON "Message"("parentId");

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;
