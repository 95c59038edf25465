-- AlterTable
ALTER TABLE "User" ADD COLUMN     "mergedIntoId" UUID;
