import {
  ClusterDownError,
  ConnectionError,
  DecodeError,
  type KeyspaceScan,
  type RedisError,
  ReplyError,
  ReplyMismatch
} from "@effect-redis/client"
import { isRespErrorReply, type RespErrorReply } from "@effect-redis/resp"
import { Array as Arr, Cause, Effect, Result, Stream } from "effect"
import { keySlot, SLOT_COUNT } from "../../KeySlot.ts"
import type { RequestContext } from "../routing/ClusterRequest.ts"
import type { ClusterSnapshot } from "../topology/ClusterSnapshot.ts"
import { globMatcher } from "./GlobPattern.ts"
import { patternSlot } from "./HashTagPattern.ts"
import { type NodeTarget, PendingReply, sendToNode } from "./NodeRequest.ts"
import { type NodeSlotState, readNodeSlotState } from "./NodeSlotState.ts"
import { ScanRetry } from "./ScanRetry.ts"
import { SlotCoverage } from "./SlotCoverage.ts"

// A whole-cluster SCAN that keeps its promise while slots move: every key that exists for the whole scan is emitted
// at least once.
//
// Coverage is tracked per slot (SlotCoverage). A *pass* scans one primary from cursor 0 back to 0. Before it starts,
// the node itself says which slots it serves (CLUSTER NODES) and which process it is (run id); the pass takes the
// unfinished ones it serves and is not migrating away as its candidates. When the cursor returns to 0 the node is
// asked again, and a candidate counts as finished only if the node still serves it, is not migrating it, and is the
// same process with the same config epoch. The epoch matters for a slot that left and came back during the pass: its
// keys could have been elsewhere while the cursor went by, and the node that takes a slot back bumps its epoch.
// Everything not confirmed stays unfinished and is scanned again on whichever node serves it next.
//
// A node that fails mid-pass is left for later (its slots reopen); once only failing nodes have work, the scan
// waits on the `connection` schedule and refreshes the slot map, so a promoted replica takes the slots over and is
// scanned from cursor 0. A pass cut short by a lost connection is resumed at its cursor if the same process answers
// again with the same epoch; a restarted node is scanned from 0. LOADING waits on the `loading` schedule; slots
// nobody serves, or that stay in migration, on `clusterDown`.
//
// Keys of slots already finished can come back from a later pass (the slot moved to the node scanned now); those
// passes check each key's slot and drop them. Passes over a stable cluster never need that, so they skip it.
//
// Slots that moved mid-pass are usually a few among many on their new owner, whose own slots may be finished
// already. Re-SCANning that whole node for them costs as much as its whole keyspace; reading just those slots
// (`CLUSTER GETKEYSINSLOT`, MATCH applied by the client) costs what is in them: on 333k keys per node,
// bench/scan-rescan.ts measured 1.1 ms for 1 slot, 17 ms for 1000 slots, against ~300-500 ms for the rescan. So a
// pass whose open slots are at most half of what its node serves reads them slot by slot, each in one atomic reply
// (confirmed like a pass: same process, same epoch, still served, not migrating). GETKEYSINSLOT cannot filter by
// TYPE nor page through a slot, so with a TYPE filter, or for a slot holding more keys than one reply may carry,
// the node is scanned instead.

/** One pass over one node: from cursor 0 until the cursor is 0 again, or slot by slot (`pending`). */
interface Pass {
  readonly node: NodeTarget
  cursor: string
  /** Slots this pass claims: confirmed finished at the end, or reopened. */
  candidates: Array<number>
  /** Slot by slot: the slots still to read with GETKEYSINSLOT; undefined for a SCAN pass. */
  readonly pending: Array<number> | undefined
  readonly before: NodeSlotState
  /** Drop keys of finished slots (they may be on this node: see the module comment). */
  readonly filter: boolean
  /** The next page's SCAN, sent when the previous page arrived. */
  next: PendingReply | undefined
}

/** Where a pass cut short by a lost connection stood, to resume it on the same process. */
interface SuspendedPass {
  readonly cursor: string
  readonly runId: string
  readonly configEpoch: string
  readonly candidates: ReadonlySet<number>
}

/** What a worker does next. */
type Pick =
  | { readonly _tag: "node"; readonly node: NodeTarget }
  | { readonly _tag: "waitFailing" }
  | { readonly _tag: "waitUnserved" }
  | { readonly _tag: "done" }

/** Slots read per round trip in a slot-by-slot pass (one GETKEYSINSLOT each, sent together). */
const SLOTS_PER_READ = 16

const isConnectionFailure = (error: RedisError): boolean =>
  error._tag === "ConnectionError" || error._tag === "TimeoutError" || error._tag === "ProtocolError"

const replyError = (raw: RespErrorReply, command: string) => new ReplyError({ code: raw.code, message: raw.message, command })

/** The state shared by the workers of one run of the stream. */
class ScanRun<K> {
  readonly ctx: RequestContext
  readonly scan: KeyspaceScan<K>
  readonly coverage: SlotCoverage
  /** A MATCH with a fixed hash tag: one slot to scan, and its keys are the only ones that match. */
  readonly hashTagged: boolean
  /** Nodes with a pass in progress. */
  readonly busy = new Set<string>()
  /** Nodes that did not answer: skipped while others have work. */
  readonly failing = new Set<string>()
  /** Nodes whose own view disagreed with the slot map of the given epoch: skipped until the map changes. */
  readonly avoided = new Map<string, number>()
  readonly suspended = new Map<string, SuspendedPass>()
  /** Slots found to hold more keys than one GETKEYSINSLOT reply may carry: only a SCAN pass reads them. */
  readonly bigSlots = new Set<number>()
  /** The client-side MATCH for keys read slot by slot. */
  readonly matches: (key: string | Uint8Array) => boolean
  /** Keys one GETKEYSINSLOT reply may carry. */
  readonly slotCap: number
  lastFailure: RedisError | undefined = undefined

  constructor(ctx: RequestContext, scan: KeyspaceScan<K>) {
    this.ctx = ctx
    this.scan = scan
    const slot = scan.match === undefined ? undefined : patternSlot(scan.match)
    this.hashTagged = slot !== undefined
    this.coverage = new SlotCoverage(slot)
    this.matches = scan.match === undefined ? () => true : globMatcher(scan.match)
    this.slotCap = Math.max(scan.count, 256)
  }

  /** The primary with the most open slots that is free to scan, or what to wait for. */
  pick(snapshot: ClusterSnapshot): Pick {
    const coverage = this.coverage
    let best: NodeTarget | undefined
    let bestCount = 0
    let failingWork = false
    let served = 0
    for (const shard of snapshot.shards) {
      let count = 0
      for (const [start, end] of shard.slots) {
        for (let slot = start; slot <= end; slot++) if (coverage.isOpen(slot)) count++
      }
      if (count === 0) continue
      served += count
      const address = shard.primary.address
      if (this.busy.has(address)) continue
      if (this.failing.has(address)) {
        failingWork = true
        continue
      }
      if (this.avoided.get(address) === snapshot.epoch) continue
      if (count > bestCount) {
        best = shard.primary
        bestCount = count
      }
    }
    if (best !== undefined) return { _tag: "node", node: best }
    if (failingWork) return { _tag: "waitFailing" }
    let open = 0
    for (let slot = 0; slot < SLOT_COUNT; slot++) if (coverage.isOpen(slot)) open++
    // Nothing open (passes in progress hold the rest), or only slots of nodes other workers are scanning now: those
    // workers come back for them.
    if (open === 0 || (this.busy.size > 0 && served === open && this.allOpenOnBusy(snapshot))) return { _tag: "done" }
    return { _tag: "waitUnserved" }
  }

  private allOpenOnBusy(snapshot: ClusterSnapshot): boolean {
    for (const shard of snapshot.shards) {
      if (this.busy.has(shard.primary.address)) continue
      for (const [start, end] of shard.slots) {
        for (let slot = start; slot <= end; slot++) if (this.coverage.isOpen(slot)) return false
      }
    }
    return true
  }

  clusterDown(reason: string, attempts: number): ClusterDownError {
    return new ClusterDownError({ command: "SCAN", slot: this.coverage.firstUnfinished(), reason, attempts })
  }
}

/** One worker: a pull that runs passes one after another and emits each SCAN page that has keys as a chunk. */
const worker = <K>(run: ScanRun<K>) => {
  const { ctx, coverage } = run
  const retry = new ScanRetry(ctx.schedules)
  const timeoutMs = ctx.commandTimeoutMs
  let pass: Pass | undefined

  /** Ends a pass without confirming anything; a pass cut short by a lost connection may be resumed later. */
  const abandon = (current: Pass, resumable: boolean) => {
    pass = undefined
    run.busy.delete(current.node.address)
    coverage.release(current.candidates)
    if (resumable) {
      run.suspended.set(current.node.address, {
        cursor: current.cursor,
        runId: current.before.runId,
        configEpoch: current.before.configEpoch,
        candidates: new Set(current.candidates)
      })
    }
  }

  const nodeFailed = (node: NodeTarget, error: RedisError) => {
    run.failing.add(node.address)
    run.lastFailure = error
    ctx.topology.requestRefresh("connectionLost")
  }

  /** Reads a node's own view; `undefined` when it could not be read and the worker should pick again. */
  const readState = Effect.fnUntraced(function*(node: NodeTarget) {
    const read = yield* Effect.result(readNodeSlotState(ctx.pool, node, timeoutMs))
    if (Result.isFailure(read)) {
      if (!isConnectionFailure(read.failure)) return yield* Effect.fail(read.failure)
      nodeFailed(node, read.failure)
      return undefined
    }
    const state = read.success
    if (isRespErrorReply(state)) {
      if (state.code !== "LOADING") return yield* Effect.fail(replyError(state, "CLUSTER NODES"))
      yield* retry.wait("loading", () => replyError(state, "CLUSTER NODES"))
      return undefined
    }
    return state
  })

  /** Starts a pass on `node`, or learns why not (the worker then picks again). */
  const startPass = Effect.fnUntraced(function*(node: NodeTarget, epoch: number) {
    const state = yield* readState(node)
    if (state === undefined) return
    run.failing.delete(node.address)
    if (!state.primary) {
      // Demoted (a failover): the slot map is older than the cluster.
      run.avoided.set(node.address, epoch)
      ctx.topology.requestRefresh("readOnly")
      return
    }
    let candidates: Array<number> = []
    let migratingOnly = false
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      if (state.owned[slot] !== 1 || !coverage.isOpen(slot)) continue
      if (state.migrating.has(slot)) migratingOnly = true
      else candidates.push(slot)
    }
    if (candidates.length === 0) {
      if (migratingOnly) {
        // Its keys are split between this node and the target until the migration ends: wait for it.
        yield* retry.wait("clusterDown", () => run.clusterDown("the slot stayed in migration", retry.attempts))
      } else {
        // The node serves none of the slots the map gives it: the map is older than a reshard.
        run.avoided.set(node.address, epoch)
        ctx.topology.requestRefresh("moved")
      }
      return
    }
    let cursor = "0"
    const suspended = run.suspended.get(node.address)
    run.suspended.delete(node.address)
    if (suspended !== undefined && suspended.runId === state.runId && suspended.configEpoch === state.configEpoch) {
      // The same process, no slot taken over since: its cursor still holds for the slots it was scanning.
      const still = candidates.filter((slot) => suspended.candidates.has(slot))
      if (still.length > 0) {
        cursor = suspended.cursor
        candidates = still
      }
    }
    let owned = 0
    let ownsFinished = false
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      if (state.owned[slot] !== 1) continue
      owned++
      if (coverage.isFinished(slot)) ownsFinished = true
    }
    if (cursor === "0" && !run.hashTagged && run.scan.type === undefined && candidates.length * 2 <= owned) {
      // Few open slots on a node that serves many: read them, not the node (see the module comment).
      const small = candidates.filter((slot) => !run.bigSlots.has(slot))
      if (small.length > 0) {
        coverage.claim(small)
        run.busy.add(node.address)
        pass = { node, cursor, candidates: small, pending: [...small], before: state, filter: false, next: undefined }
        return
      }
    }
    const filter = !run.hashTagged && (cursor !== "0" || state.migrating.size > 0 || state.importing.size > 0 || ownsFinished)
    coverage.claim(candidates)
    run.busy.add(node.address)
    pass = { node, cursor, candidates, pending: undefined, before: state, filter, next: undefined }
  })

  /** The next slots of a slot-by-slot pass: their keys (MATCH applied), or `undefined` when the pass ended badly. */
  const nextSlots = Effect.fnUntraced(function*(current: Pass, pending: Array<number>) {
    const binary = run.scan.page("0").spec.reply.binary
    const batch = pending.splice(0, SLOTS_PER_READ)
    const read = yield* Effect.result(PendingReply.sendAll(
      ctx.pool,
      current.node,
      batch.map((slot) => ["CLUSTER", "GETKEYSINSLOT", slot, run.slotCap + 1]),
      { binary, timeoutMs }
    ))
    if (Result.isFailure(read)) {
      abandon(current, false)
      if (!isConnectionFailure(read.failure)) return yield* Effect.fail(read.failure)
      nodeFailed(current.node, read.failure)
      return undefined
    }
    const keys: Array<K> = []
    for (let i = 0; i < batch.length; i++) {
      const slot = batch[i]!, raw = read.success[i]!
      if (isRespErrorReply(raw)) {
        abandon(current, false)
        if (raw.code !== "LOADING") return yield* Effect.fail(replyError(raw, "CLUSTER GETKEYSINSLOT"))
        yield* retry.wait("loading", () => replyError(raw, "CLUSTER GETKEYSINSLOT"))
        return undefined
      }
      if (!Array.isArray(raw) || !raw.every((key) => binary ? key instanceof Uint8Array : typeof key === "string")) {
        abandon(current, false)
        return yield* Effect.fail(new DecodeError({ command: "CLUSTER GETKEYSINSLOT", reason: "expected an array of keys", reply: raw }))
      }
      if (raw.length > run.slotCap) {
        // More than a reply may carry: leave the slot to a SCAN pass.
        run.bigSlots.add(slot)
        current.candidates = current.candidates.filter((s) => s !== slot)
        coverage.release([slot])
        continue
      }
      for (const key of raw as ReadonlyArray<string | Uint8Array>) if (run.matches(key)) keys.push(key as K)
    }
    retry.reset()
    if (pending.length === 0) yield* endPass(current)
    return keys
  })

  /** The cursor is back at 0: confirms the candidates the node kept all along. */
  const endPass = Effect.fnUntraced(function*(current: Pass) {
    pass = undefined
    const after = yield* Effect.ensuring(
      readState(current.node),
      Effect.sync(() => {
        run.busy.delete(current.node.address)
        coverage.release(current.candidates)
      })
    )
    if (after === undefined) return
    const before = current.before
    const unchanged = after.primary && after.runId === before.runId && after.configEpoch === before.configEpoch
    const confirmed = unchanged ? current.candidates.filter((slot) => after.owned[slot] === 1 && !after.migrating.has(slot)) : []
    coverage.finish(confirmed)
    if (confirmed.length < current.candidates.length) ctx.topology.requestRefresh("moved")
  })

  /** One SCAN page of the pass in progress: its keys (possibly none), or `undefined` when the pass ended badly. */
  const nextPage = Effect.fnUntraced(function*(current: Pass) {
    const command = run.scan.page(current.cursor)
    const binary = command.spec.reply.binary
    const prefetched = current.next
    current.next = undefined
    const sent = yield* Effect.result(prefetched?.await ?? sendToNode(ctx.pool, current.node, command.args, { binary, timeoutMs }))
    if (Result.isFailure(sent)) {
      abandon(current, true)
      if (!isConnectionFailure(sent.failure)) return yield* Effect.fail(sent.failure)
      nodeFailed(current.node, sent.failure)
      return undefined
    }
    const raw = sent.success
    if (isRespErrorReply(raw)) {
      // Not resumable: a loading node was restarted, and any other error reply ends the scan.
      abandon(current, false)
      if (raw.code !== "LOADING") return yield* Effect.fail(replyError(raw, "SCAN"))
      yield* retry.wait("loading", () => replyError(raw, "SCAN"))
      return undefined
    }
    const page = command.spec.reply.decode(raw)
    if (page instanceof ReplyMismatch) {
      abandon(current, false)
      return yield* Effect.fail(new DecodeError({ command: "SCAN", reason: page.reason, reply: raw }))
    }
    retry.reset()
    current.cursor = page.cursor
    // One page ahead: the server scans the next page while this one is filtered and consumed.
    if (page.cursor !== "0") current.next = PendingReply.start(ctx.pool, current.node, run.scan.page(page.cursor).args, { binary, timeoutMs })
    let keys = page.items
    if (current.filter) keys = keys.filter((key) => !coverage.isFinished(keySlot(key as string | Uint8Array)))
    if (page.cursor === "0") yield* endPass(current)
    return keys
  })

  const waitFailing = Effect.fnUntraced(function*() {
    yield* retry.wait("connection", () =>
      run.lastFailure ?? new ConnectionError({ address: "?", reason: "no primary answered", written: false }))
    run.failing.clear()
    yield* Effect.ignore(ctx.topology.refresh)
  })

  const waitUnserved = Effect.fnUntraced(function*(epoch: number) {
    yield* Effect.ignore(ctx.topology.refresh)
    if (ctx.topology.current().epoch !== epoch) return
    yield* retry.wait("clusterDown", () =>
      run.clusterDown(`${coverage.remaining} slot(s) are not served by any primary that answers`, retry.attempts))
    run.avoided.clear()
  })

  const pull = Effect.fnUntraced(function*() {
    while (true) {
      if (pass !== undefined) {
        const keys = pass.pending === undefined ? yield* nextPage(pass) : yield* nextSlots(pass, pass.pending)
        if (keys !== undefined && Arr.isReadonlyArrayNonEmpty(keys)) return keys
        continue
      }
      if (coverage.remaining === 0) return yield* Cause.done()
      const snapshot = ctx.topology.current()
      const next = run.pick(snapshot)
      switch (next._tag) {
        case "node":
          yield* startPass(next.node, snapshot.epoch)
          break
        case "waitFailing":
          yield* waitFailing()
          break
        case "waitUnserved":
          yield* waitUnserved(snapshot.epoch)
          break
        case "done":
          return yield* Cause.done()
      }
    }
  })
  return Effect.suspend(pull)
}

/**
 * Every key of the cluster, pass by pass over the primaries (`concurrency` at once), as described at the top of
 * this module. Each run of the stream starts from nothing.
 */
export const keyspaceScan = <K>(ctx: RequestContext, scan: KeyspaceScan<K>): Stream.Stream<K, RedisError> =>
  Stream.suspend(() => {
    const run = new ScanRun(ctx, scan)
    const workers = Array.from({ length: Math.max(1, scan.concurrency) }, () =>
      Stream.fromPull(Effect.sync(() => worker(run))))
    return workers.length === 1 ? workers[0]! : Stream.mergeAll(workers, { concurrency: workers.length })
  })
