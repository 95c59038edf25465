-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "model" TEXT,
ADD COLUMN     "systemPrompt" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "UserSettings" ADD COLUMN     "defaultModel" TEXT,
ADD COLUMN     "instructions" TEXT NOT NULL DEFAULT '';
