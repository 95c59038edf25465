-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "seqCeiling" INTEGER NOT NULL DEFAULT 0;
