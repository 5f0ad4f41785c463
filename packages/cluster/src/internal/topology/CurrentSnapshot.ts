import { Deferred, Effect, Exit } from "effect"
import type { ClusterSnapshot } from "./ClusterSnapshot.ts"

/**
 * The topology's current snapshot, and a signal for those waiting for it to change (`changedSince`): one Deferred
 * per epoch, completed and replaced when a snapshot of another epoch is installed. Reading it is a field read (the
 * routing hot path); only waiters allocate.
 */
export class CurrentSnapshot {
  private snapshot: ClusterSnapshot
  private next = Deferred.makeUnsafe<void>()
  constructor(initial: ClusterSnapshot) {
    this.snapshot = initial
  }
  /** The snapshot now. */
  get(): ClusterSnapshot {
    return this.snapshot
  }
  /** Installs `snapshot`; waiters wake when its epoch differs from the previous one. */
  set(snapshot: ClusterSnapshot): void {
    const changed = snapshot.epoch !== this.snapshot.epoch
    this.snapshot = snapshot
    if (!changed) return
    const done = this.next
    this.next = Deferred.makeUnsafe<void>()
    Deferred.doneUnsafe(done, Exit.void)
  }
  /** Completes once the snapshot's epoch is not `epoch` (at once when it already is not). */
  changedSince(epoch: number): Effect.Effect<void> {
    return Effect.suspend(() => (this.snapshot.epoch !== epoch ? Effect.void : Deferred.await(this.next)))
  }
}
