"use client";
// The tab's model catalog (lib/client/model-catalog.ts): null until loaded
// (and on the server), then GET /api/models' answer.
import { useEffect, useSyncExternalStore } from "react";
import { currentModelCatalog, loadModelCatalog, subscribeModelCatalog } from "@/lib/client/model-catalog";
import type { ModelCatalog } from "@/lib/client/api";

const none = () => null;

export function useModelCatalog(): ModelCatalog | null {
  const catalog = useSyncExternalStore(subscribeModelCatalog, currentModelCatalog, none);
  useEffect(() => {
    // A failure leaves the ids shown; whoever shows the error (the picker) asks again itself.
    loadModelCatalog().catch(() => {});
  }, []);
  return catalog;
}
