"use client";
// A page whose server view failed to render (components/ServerViewError.tsx); the sidebar stays.
import { ServerViewError } from "@/components/ServerViewError";

export default function PageError(props: { error: Error & { digest?: string }; reset: () => void; retry: () => void }) {
  return <ServerViewError error={props.error} retry={props.retry} />;
}
