import { memo } from "react";
import type { Message } from "@/lib/types";

// Plain text with its line breaks: user text is never interpreted as markup.
export const UserMessage = memo(function UserMessage({ message }: { message: Message }) {
  return (
    <div
      data-testid="message"
      data-role="user"
      data-status={message.status}
      data-message-id={message.id}
      className="flex justify-end"
    >
      <div className="max-w-[85%] rounded-2xl rounded-br-md bg-zinc-100 px-4 py-2.5 dark:bg-zinc-800">
        <h2 className="sr-only">You said:</h2>
        <div data-testid="message-content" data-text={message.content} className="whitespace-pre-wrap break-words leading-7">
          {message.content}
        </div>
      </div>
    </div>
  );
});
