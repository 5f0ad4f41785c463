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

/** One pass over one node: from cursor 0 until the cursor is 0 again. */
interface Pass {
  readonly node: NodeTarget
  cursor: string
  /** Slots this pass claims: confirmed finished at the end, or reopened. */
  readonly candidates: ReadonlyArray<number>
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
  lastFailure: RedisError | undefined = undefined

  constructor(ctx: RequestContext, scan: KeyspaceScan<K>) {
    this.ctx = ctx
    this.scan = scan
    const slot = scan.match === undefined ? undefined : patternSlot(scan.match)
    this.hashTagged = slot !== undefined
    this.coverage = new SlotCoverage(slot)
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
    let filter = false
    if (!run.hashTagged) {
      filter = cursor !== "0" || state.migrating.size > 0 || state.importing.size > 0
      for (let slot = 0; !filter && slot < SLOT_COUNT; slot++) filter = state.owned[slot] === 1 && coverage.isFinished(slot)
    }
    coverage.claim(candidates)
    run.busy.add(node.address)
    pass = { node, cursor, candidates, before: state, filter, next: undefined }
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
        const keys = yield* nextPage(pass)
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
