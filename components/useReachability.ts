"use client";
// Whether this tab can reach the server (lib/client/connection.ts), as React
// state. The server render assumes it can.
import { useSyncExternalStore } from "react";
import { connection, type Reachability } from "@/lib/client/connection";

const serverState = (): Reachability => "online";

export function useReachability(): Reachability {
  return useSyncExternalStore(connection.subscribe, connection.getState, serverState);
}
