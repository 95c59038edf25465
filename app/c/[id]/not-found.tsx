import { NotFoundNotice } from "@/components/NotFoundNotice";

// A conversation id that is not the user's: deleted, mistyped, or someone else's (all the same 404).
export default function ConversationNotFound() {
  return <NotFoundNotice title="Conversation not found" detail="This conversation does not exist, or it was deleted." />;
}
