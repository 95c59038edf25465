import { describe, expect, it } from "vitest";
import { clearDraft, draftKey, readDraft, writeDraft, type DraftStorage } from "./drafts";

function memoryStorage(): DraftStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

describe("drafts", () => {
  it("keeps one draft per conversation, and one for the new chat", () => {
    const s = memoryStorage();
    writeDraft("c1", "first", s);
    writeDraft("c2", "second", s);
    writeDraft(null, "fresh", s);
    expect(readDraft("c1", s)).toBe("first");
    expect(readDraft("c2", s)).toBe("second");
    expect(readDraft(null, s)).toBe("fresh");
    expect(s.data.get(draftKey(null))).toBe("fresh");
  });

  it("stores text exactly, line breaks and emoji included", () => {
    const s = memoryStorage();
    writeDraft("c1", "  two\nlines 😀 ", s);
    expect(readDraft("c1", s)).toBe("  two\nlines 😀 ");
  });

  it("removes the entry when cleared or blank", () => {
    const s = memoryStorage();
    writeDraft("c1", "x", s);
    clearDraft("c1", s);
    expect(s.data.size).toBe(0);
    writeDraft("c1", "x", s);
    writeDraft("c1", "  ", s);
    expect(s.data.size).toBe(0);
  });

  it("survives a storage that throws (quota, disabled)", () => {
    const broken: DraftStorage = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new DOMException("full", "QuotaExceededError");
      },
      removeItem: () => {
        throw new Error("denied");
      },
    };
    expect(() => writeDraft("c1", "x", broken)).not.toThrow();
    expect(readDraft("c1", broken)).toBe("");
  });

  it("reads nothing without a storage (server rendering)", () => {
    expect(readDraft("c1", undefined)).toBe("");
  });
});
