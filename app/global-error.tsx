"use client";
// The root layout itself failed to render (its sidebar is part of the server view): the same recovery, on a bare page.
import { ServerViewError } from "@/components/ServerViewError";
import "./globals.css";

export default function GlobalError(props: { error: Error & { digest?: string }; reset: () => void; retry: () => void }) {
  return (
    <html lang="en">
      <body className="flex min-h-dvh flex-col">
        <ServerViewError error={props.error} retry={props.retry} />
      </body>
    </html>
  );
}
