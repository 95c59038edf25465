import { SharedFrame, SharedNotice } from "@/components/SharedFrame";

// An unknown or revoked link: the same 404 (docs/PROTOCOL.md §3.7).
export default function SharedNotFound() {
  return (
    <SharedFrame>
      <SharedNotice title="This link is not shared" detail="It was mistyped, its owner stopped sharing it, or the conversation was deleted." />
    </SharedFrame>
  );
}
