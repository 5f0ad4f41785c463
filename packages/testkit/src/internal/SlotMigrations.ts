/**
 * Moving a hash slot between primaries the way a resharding tool does, one step at a time, so a test can
 * hold the slot mid-migration (keys on both sides: the source answers ASK for keys it no longer has, the
 * target serves them only after ASKING) and look at what the client does.
 *
 * 1. begin: target `SETSLOT <slot> IMPORTING <source>`, then source `SETSLOT <slot> MIGRATING <target>`
 *    (target first, so no window where the source redirects to a target that refuses);
 * 2. migrate keys: `GETKEYSINSLOT` + `MIGRATE ... KEYS ...`, as many as asked;
 * 3. finish: move any keys left, then `SETSLOT <slot> NODE <target>` on the target, the source, and every
 *    other primary, so nobody has to learn the new owner by gossip.
 *
 * @internal
 */
import { Effect } from "effect"
import type { AdminError, RespReply } from "../AdminConnection.ts"
import type { ClusterNode, NodeSelector } from "../ClusterNode.ts"
import { ClusterOperationError } from "../ClusterOperationError.ts"
import { slotCount, type SlotRange, slotsOf, toSlotRanges } from "../SlotRange.ts"
import type { WaitTimeoutError } from "../WaitTimeoutError.ts"
import { type ClusterContext, freshNode, refreshView, waitForAgreement } from "./ClusterContext.ts"
import { runOn } from "./ClusterMembers.ts"
import { ownerOf } from "./ClusterViewReader.ts"

/** A slot move in progress, as {@link beginSlotMigration} started it. */
export interface SlotMigration {
  readonly slot: number
  readonly source: ClusterNode
  readonly target: ClusterNode
}

/** Options of {@link migrateKeys}. */
export interface MigrateKeysOptions {
  /** How many keys to move. Default: all keys of the slot. */
  readonly count?: number | undefined
}

type MigrationError = AdminError | WaitTimeoutError | ClusterOperationError

const keysPerBatch = 100

const checkSlot = (operation: string, slot: number): Effect.Effect<void, ClusterOperationError> =>
  Number.isInteger(slot) && slot >= 0 && slot < slotCount
    ? Effect.void
    : Effect.fail(new ClusterOperationError({ operation, reason: `${slot} is not a hash slot (0..${slotCount - 1})` }))

const pendingMigration = (context: ClusterContext, operation: string, slot: number) => {
  const migration = context.migrations.get(slot)
  return migration !== undefined
    ? Effect.succeed(migration)
    : Effect.fail(
      new ClusterOperationError({ operation, reason: `no migration of slot ${slot} in progress (call beginSlotMigration first)` })
    )
}

/** Marks `slot` as migrating from its current owner to `target`. */
export const beginSlotMigration = (
  context: ClusterContext,
  slot: number,
  target: NodeSelector
): Effect.Effect<SlotMigration, MigrationError> =>
  Effect.gen(function*() {
    const operation = "beginSlotMigration"
    yield* checkSlot(operation, slot)
    if (context.migrations.has(slot)) {
      return yield* new ClusterOperationError({ operation, reason: `slot ${slot} is already being migrated` })
    }
    const targetNode = yield* freshNode(context, target, operation)
    const sourceNode = ownerOf(context.view, slot)
    if (sourceNode === undefined) {
      return yield* new ClusterOperationError({ operation, reason: `slot ${slot} is not served by any primary` })
    }
    if (targetNode.role !== "primary") {
      return yield* new ClusterOperationError({ operation, reason: `target ${targetNode.host}:${targetNode.port} is a replica` })
    }
    if (sourceNode.nodeId === targetNode.nodeId) {
      return yield* new ClusterOperationError({ operation, reason: `slot ${slot} is already served by the target` })
    }
    const source = context.members.byNodeId(sourceNode.nodeId)!
    const targetMember = context.members.byNodeId(targetNode.nodeId)!
    yield* runOn(targetMember, ["CLUSTER", "SETSLOT", String(slot), "IMPORTING", source.nodeId])
    yield* runOn(source, ["CLUSTER", "SETSLOT", String(slot), "MIGRATING", targetMember.nodeId])
    context.migrations.set(slot, { source, target: targetMember })
    return { slot, source: sourceNode, target: targetNode }
  })

/** Moves up to `count` keys (default: all) of a slot being migrated to its target; returns how many moved. */
export const migrateKeys = (
  context: ClusterContext,
  slot: number,
  options: MigrateKeysOptions = {}
): Effect.Effect<number, MigrationError> =>
  Effect.gen(function*() {
    const { source, target } = yield* pendingMigration(context, "migrateKeys", slot)
    const auth = context.password === undefined ? [] : ["AUTH", context.password]
    let moved = 0
    while (options.count === undefined || moved < options.count) {
      const batch = Math.min(keysPerBatch, (options.count ?? Infinity) - moved)
      const keys = (yield* runOn(source, ["CLUSTER", "GETKEYSINSLOT", String(slot), String(batch)], {
        bulkStrings: "bytes" // keys go back out verbatim, binary or not
      })) as ReadonlyArray<RespReply>
      if (keys.length === 0) break
      yield* runOn(
        source,
        ["MIGRATE", target.process.host, String(target.process.port), "", "0", "5000", "REPLACE", ...auth, "KEYS", ...(keys as ReadonlyArray<Uint8Array>)],
        { timeoutMs: 10_000 }
      )
      moved += keys.length
    }
    return moved
  })

/** Sends `SETSLOT <slot> NODE <target>` to the target, the source, and all other running primaries. */
const assignOwner = (
  context: ClusterContext,
  slot: number,
  source: { readonly nodeId: string },
  targetId: string
): Effect.Effect<void, AdminError> =>
  Effect.gen(function*() {
    const setslot = ["CLUSTER", "SETSLOT", String(slot), "NODE", targetId]
    const target = context.members.byNodeId(targetId)!
    yield* runOn(target, setslot)
    const sourceMember = context.members.byNodeId(source.nodeId)
    if (sourceMember !== undefined && sourceMember.process.state === "running") yield* runOn(sourceMember, setslot)
    const others = context.view.filter((node) =>
      node.role === "primary" && node.state === "running" && node.nodeId !== targetId && node.nodeId !== source.nodeId
    )
    yield* Effect.forEach(others, (node) => runOn(context.members.byNodeId(node.nodeId)!, setslot), {
      concurrency: "unbounded",
      discard: true
    })
  })

/** Moves the keys left and makes the target the owner everywhere; without waiting for agreement. */
const completeMigration = (context: ClusterContext, slot: number): Effect.Effect<void, MigrationError> =>
  Effect.gen(function*() {
    const { source, target } = yield* pendingMigration(context, "finishSlotMigration", slot)
    yield* migrateKeys(context, slot)
    yield* refreshView(context)
    yield* assignOwner(context, slot, source, target.nodeId)
    context.migrations.delete(slot)
  })

/** Completes a migration begun with {@link beginSlotMigration} and waits until every node agrees. */
export const finishSlotMigration = (context: ClusterContext, slot: number): Effect.Effect<void, MigrationError> =>
  completeMigration(context, slot).pipe(
    Effect.andThen(waitForAgreement(context)),
    Effect.andThen(refreshView(context)),
    Effect.asVoid
  )

/** begin + all keys + finish. */
export const moveSlot = (context: ClusterContext, slot: number, target: NodeSelector): Effect.Effect<void, MigrationError> =>
  beginSlotMigration(context, slot, target).pipe(Effect.andThen(finishSlotMigration(context, slot)))

/**
 * Makes `node` the owner of `slots`: unassigned slots are added to it (ADDSLOTSRANGE), slots of other
 * primaries are moved with their keys. Waits for agreement once at the end.
 */
export const assignSlots = (
  context: ClusterContext,
  node: NodeSelector,
  slots: ReadonlyArray<number | SlotRange>
): Effect.Effect<void, MigrationError> =>
  Effect.gen(function*() {
    const operation = "assignSlots"
    const ranges = toSlotRanges(slots)
    for (const range of ranges) {
      yield* checkSlot(operation, range.start)
      yield* checkSlot(operation, range.end)
    }
    const target = yield* freshNode(context, node, operation)
    if (target.role !== "primary") {
      return yield* new ClusterOperationError({ operation, reason: `${target.host}:${target.port} is a replica` })
    }
    const unassigned: Array<number> = []
    for (const slot of slotsOf(ranges)) {
      const owner = ownerOf(context.view, slot)
      if (owner === undefined) unassigned.push(slot)
      else if (owner.nodeId !== target.nodeId) {
        yield* beginSlotMigration(context, slot, target)
        yield* completeMigration(context, slot)
      }
    }
    const member = context.members.byNodeId(target.nodeId)!
    for (const range of toSlotRanges(unassigned)) {
      yield* runOn(member, ["CLUSTER", "ADDSLOTSRANGE", String(range.start), String(range.end)])
    }
    yield* waitForAgreement(context)
    yield* refreshView(context)
  })

