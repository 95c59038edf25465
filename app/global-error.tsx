"use client";
// The root layout itself failed to render (its sidebar is part of the server view): the same recovery, on a bare page.
import { useState } from "react";
import { ServerViewError } from "@/components/ServerViewError";
import "./globals.css";

export default function GlobalError(props: { error: Error & { digest?: string }; reset: () => void; retry: () => void }) {
  // The theme the page had (the layout set it from the Settings cookie), kept while the layout is gone.
  const [theme] = useState(() => (typeof document === "undefined" ? undefined : document.documentElement.dataset.theme));
  return (
    <html lang="en" data-theme={theme} suppressHydrationWarning>
      <body className="flex min-h-dvh flex-col">
        <ServerViewError error={props.error} retry={props.retry} />
      </body>
    </html>
  );
}
