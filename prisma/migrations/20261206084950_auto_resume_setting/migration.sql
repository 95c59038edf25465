-- AlterTable
ALTER TABLE "UserSettings" ADD COLUMN     "autoResume" BOOLEAN NOT NULL DEFAULT true;
