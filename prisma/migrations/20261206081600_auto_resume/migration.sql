-- AlterEnum
ALTER TYPE "MessageStatus" ADD VALUE 'resuming';

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "resumeAttempts" INTEGER NOT NULL DEFAULT 0;
