import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { cache } from "react";
import { SharedConversation } from "@/components/SharedConversation";
import { SharedFrame, SharedNotice } from "@/components/SharedFrame";
import { AppError } from "@/lib/errors";
import { sharedView } from "@/lib/share/view";
import { requireShare } from "@/lib/http/share-access";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ token: string }> };

// Shared by generateMetadata and the page (one count and one read per request).
const load = cache(async (token: string) => {
  try {
    const { db, share } = await requireShare({ headers: await headers() }, token);
    return { view: await sharedView(db, share) };
  } catch (e) {
    if (e instanceof AppError && e.code === "not_found") notFound();
    if (e instanceof AppError && e.code === "rate_limited") return { limited: e.message };
    throw e;
  }
});

// Never indexed: a link is for the people it was given to.
export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const robots = { index: false, follow: false };
  try {
    const { view } = await load((await params).token);
    return { title: view ? `${view.conversation.title} · Shared · Tether` : "Shared conversation · Tether", robots, referrer: "no-referrer" };
  } catch {
    return { title: "Shared conversation not found · Tether", robots, referrer: "no-referrer" };
  }
}

// The conversation as saved, rendered on the server (a reply still being
// written shows its partial text before any script runs); the page then
// follows it live (docs/PROTOCOL.md §3.7). No session is made or needed.
export default async function SharedPage({ params }: Params) {
  const { token } = await params;
  const { view, limited } = await load(token);
  return (
    <SharedFrame>
      {view ? <SharedConversation key={token} token={token} initial={view} /> : <SharedNotice title="Too many requests" detail={limited ?? "Try again in a minute."} />}
    </SharedFrame>
  );
}
