import type { Metadata } from "next";
import { NotFoundNotice } from "@/components/NotFoundNotice";

export const metadata: Metadata = { title: "Page not found · Tether" };

// Any address the app does not have (a missing conversation has its own page: app/c/[id]/not-found.tsx).
export default function NotFound() {
  return <NotFoundNotice title="Page not found" detail="There is no page at this address." />;
}
