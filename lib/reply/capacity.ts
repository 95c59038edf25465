// The instance's capacity: at most MAX_ACTIVE_GENERATIONS replies generating
// here at once, all users together, so one instance's upstream spend and
// memory stay bounded whatever the number of users. A start beyond it is
// refused (503 `overloaded`) before anything is written.
//
// A slot is taken synchronously (one thread: two admissions cannot both take
// the last one) and held across the admission's transaction and the hand-over
// to the job runner, until the generation is in the registry, which counts it
// from then on. In Inngest mode a generation may run on another instance: this
// instance then counts what it runs plus what it is admitting.
import { AppError } from "../errors";
import type { GenerationRegistry } from "./registry";

export class GenerationCapacity {
  /** Admissions between their check and their commit. */
  private admitting = 0;
  /** Admitted replies being handed to the job runner, not yet (or never) in the registry. */
  private readonly handing = new Set<string>();

  /** `max`: replies at once; 0 turns the limit off. */
  constructor(
    private readonly registry: GenerationRegistry,
    readonly max: number,
  ) {}

  /** Slots in use: live generations, admissions in progress, replies being handed over. */
  get used(): number {
    let n = this.registry.liveIds().length + this.admitting;
    for (const id of this.handing) if (!this.registry.isLive(id)) n++;
    return n;
  }

  /** Takes a slot for one admission, or throws 503 `overloaded`. Synchronous on purpose. */
  reserve(): AdmissionSlot {
    if (this.max > 0 && this.used >= this.max) {
      throw new AppError("overloaded", `The server is generating as many replies as it can (${this.max}). Please try again in a moment.`, {
        "Retry-After": "5",
      });
    }
    this.admitting++;
    let open = true;
    return {
      handOver: (messageId: string) => {
        if (!open) return;
        open = false;
        this.admitting--;
        this.handing.add(messageId);
      },
      release: () => {
        if (!open) return;
        open = false;
        this.admitting--;
      },
    };
  }

  /** The reply has been handed to the job runner (it is in the registry now, or runs elsewhere, or failed). */
  handedOver(messageId: string): void {
    this.handing.delete(messageId);
  }
}

/** One admission's slot: handed over to its reply once admitted, released if the admission failed. */
export type AdmissionSlot = { handOver(messageId: string): void; release(): void };
