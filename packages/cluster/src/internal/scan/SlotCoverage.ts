import { SLOT_COUNT } from "../../KeySlot.ts"

/**
 * Which hash slots a keyspace scan has finished, and which are being scanned right now. Coverage is tracked by
 * slot, not by node, because nodes gain and lose slots while a scan runs: a slot is finished once one node scanned
 * all of it while serving it the whole time, whichever node that was.
 */
export class SlotCoverage {
  private readonly finished = new Uint8Array(SLOT_COUNT)
  private readonly claimed = new Uint8Array(SLOT_COUNT)
  /** Slots not finished yet. */
  remaining = SLOT_COUNT

  /** All slots to scan, or only `slot` (a MATCH pattern whose hash tag fixes the slot: no other slot can match). */
  constructor(only?: number) {
    if (only !== undefined) {
      this.finished.fill(1)
      this.finished[only] = 0
      this.remaining = 1
    }
  }

  /** Whether some pass confirmed `slot`. */
  isFinished(slot: number): boolean {
    return this.finished[slot] === 1
  }

  /** Not finished and not being scanned by a pass in progress: free to be taken. */
  isOpen(slot: number): boolean {
    return this.finished[slot] === 0 && this.claimed[slot] === 0
  }

  /** Marks slots as taken by one pass, so concurrent passes never count the same slot. */
  claim(slots: ReadonlyArray<number>): void {
    for (const slot of slots) this.claimed[slot] = 1
  }

  /** Gives slots back after a pass, finished or not. */
  release(slots: ReadonlyArray<number>): void {
    for (const slot of slots) this.claimed[slot] = 0
  }

  /** Marks slots as scanned for good (a pass confirmed them). */
  finish(slots: ReadonlyArray<number>): void {
    for (const slot of slots) {
      if (this.finished[slot] === 0) {
        this.finished[slot] = 1
        this.remaining--
      }
    }
  }

  /** The first slot not finished, or -1: for error messages. */
  firstUnfinished(): number {
    return this.finished.indexOf(0)
  }
}
