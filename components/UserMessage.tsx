import { memo } from "react";
import type { FilePart, Message, MessageVersions } from "@/lib/chat/types";
import { AttachmentChips, sentFileChips } from "./AttachmentChips";
import { MessageActions } from "./MessageActions";
import { MessageEditor } from "./MessageEditor";
import { VersionPager } from "./VersionPager";

type Props = {
  message: Message;
  /** Set on saved messages: the action bar (Copy, Edit, versions). */
  actions?: {
    locked: boolean;
    onSelect: (id: string) => void;
    onEdit: (message: Message) => void;
  };
  /** The text being edited, when this message is in the inline editor. */
  editing?: { draft: string; locked: boolean; onCancel: () => void; onSend: (message: Message, content: string) => void };
  /** A message just resent from the editor: its versions until the server's arrive. */
  versionsHint?: MessageVersions;
};

// Plain text with its line breaks: user text is never interpreted as markup.
export const UserMessage = memo(function UserMessage({ message, actions, editing, versionsHint }: Props) {
  const pending = !actions && (message.versions ?? versionsHint);
  const files = message.parts.filter((p): p is FilePart => p.type === "file");
  return (
    <div data-testid="message" data-role="user" data-status={message.status} data-message-id={message.id} className="group/msg flex scroll-mt-4 flex-col items-end gap-1">
      {editing ? (
        <MessageEditor initial={editing.draft} locked={editing.locked} onCancel={editing.onCancel} onSend={(content) => editing.onSend(message, content)} />
      ) : (
        <>
          {files.length > 0 && (
            <div className="flex max-w-[85%] justify-end">
              <AttachmentChips testId="message-attachments" items={sentFileChips(files)} />
            </div>
          )}
          {(message.content !== "" || files.length === 0) && (
            <div className="max-w-[85%] rounded-2xl rounded-br-md bg-zinc-100 px-4 py-2.5 dark:bg-zinc-800">
              <h2 className="sr-only">You said:</h2>
              <div data-testid="message-content" data-text={message.content} className="whitespace-pre-wrap break-words leading-7">
                {message.content}
              </div>
            </div>
          )}
        </>
      )}
      {actions && !editing && <MessageActions message={message} locked={actions.locked} onSelect={actions.onSelect} onEdit={actions.onEdit} />}
      {pending && pending.count > 1 && <VersionPager versions={pending} disabled kind="message" />}
    </div>
  );
});
