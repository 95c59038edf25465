// How a reply's text is shown. The one place to swap in a markdown renderer:
// for now plain text, line breaks kept, never parsed as HTML.
export function ReplyText({ text, cursor }: { text: string; cursor: boolean }) {
  return (
    <div className="whitespace-pre-wrap break-words leading-7">
      {text}
      {cursor && <span className="reply-cursor" aria-hidden data-testid="reply-cursor" />}
    </div>
  );
}
