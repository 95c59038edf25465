// Prisma CLI configuration. The app itself never reads this: it builds its own
// client with a driver adapter (lib/platform/db). The CLI only needs the schema path.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/unused" },
});
