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
import { Cause, Effect, Result, Stream } from "effect"
import { keySlot, SLOT_COUNT } from "../../KeySlot.ts"
import type { RequestContext } from "../routing/ClusterRequest.ts"
import type { ClusterSnapshot } from "../topology/ClusterSnapshot.ts"
import { globMatcher } from "./GlobPattern.ts"
import { patternSlot } from "./HashTagPattern.ts"
import { type NodeTarget, PendingReply } from "./NodeRequest.ts"
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
// bench/scan-rescan.ts measured ~1 ms for 1 slot, 17-24 ms for 1000 slots, against 270-530 ms for the rescan. So a
// pass whose open slots are at most half of what its node serves reads them slot by slot, each in one atomic reply
// (confirmed like a pass: same process, same epoch, still served, not migrating). GETKEYSINSLOT cannot filter by
// TYPE nor page through a slot, so with a TYPE filter, or for a slot holding more keys than one reply may carry,
// the node is scanned instead.
//
// Up to `concurrency` passes run at once, all in the one fiber pulling the stream: each pass has its next page on
// the wire (sent as soon as the previous one arrived), and each pull handles whichever page arrives first. No fiber
// per node, and nothing runs between pulls but those requests, so a slow consumer holds at most one page per pass.

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
  /** SCAN passes: the pages on their way or arrived and not taken yet, oldest first (at most two). */
  readonly inflight: Array<PendingReply>
}

/** Where a pass cut short by a lost connection stood, to resume it on the same process. */
interface SuspendedPass {
  readonly cursor: string
  readonly runId: string
  readonly configEpoch: string
  readonly candidates: ReadonlySet<number>
}

/** Where the next pass goes, or why there is none now. */
type Pick =
  | { readonly _tag: "node"; readonly node: NodeTarget }
  | { readonly _tag: "waitFailing" }
  | { readonly _tag: "waitLoading" }
  | { readonly _tag: "waitUnserved" }
  | { readonly _tag: "none" }

/** Slots read per round trip in a slot-by-slot pass (one GETKEYSINSLOT each, sent together). */
const SLOTS_PER_READ = 16

const isConnectionFailure = (error: RedisError): boolean =>
  error._tag === "ConnectionError" || error._tag === "TimeoutError" || error._tag === "ProtocolError"

const replyError = (raw: RespErrorReply, command: string) => new ReplyError({ code: raw.code, message: raw.message, command })

/** One run of the stream: what is finished, the passes in progress, and the pull that drives them. */
class ScanRun<K> {
  readonly ctx: RequestContext
  readonly scan: KeyspaceScan<K>
  readonly coverage: SlotCoverage
  /** A MATCH with a fixed hash tag: one slot to scan, and its keys are the only ones that match. */
  readonly hashTagged: boolean
  readonly retry: ScanRetry
  /** Passes in progress, at most `concurrency`. */
  readonly active: Array<Pass> = []
  /** Nodes that did not answer: skipped while others have work. */
  readonly failing = new Set<string>()
  /** Nodes that answered LOADING: skipped while others have work. */
  readonly loading = new Set<string>()
  /** Nodes whose own view disagreed with the slot map of the given epoch: skipped until the map changes. */
  readonly avoided = new Map<string, number>()
  readonly suspended = new Map<string, SuspendedPass>()
  /** Slots found to hold more keys than one GETKEYSINSLOT reply may carry: only a SCAN pass reads them. */
  readonly bigSlots = new Set<number>()
  /** The client-side MATCH for keys read slot by slot. */
  readonly matches: (key: string | Uint8Array) => boolean
  /** Keys one GETKEYSINSLOT reply may carry. */
  readonly slotCap: number
  readonly binary: boolean
  readonly timeoutMs: number
  lastFailure: RedisError | undefined = undefined
  lastLoading: RedisError | undefined = undefined
  /** Bumped when a pass ends: until then, a fill that found no free node would find none again. */
  private passesEnded = 0
  private idleFillAt = -1

  constructor(ctx: RequestContext, scan: KeyspaceScan<K>) {
    this.ctx = ctx
    this.scan = scan
    const slot = scan.match === undefined ? undefined : patternSlot(scan.match)
    this.hashTagged = slot !== undefined
    this.coverage = new SlotCoverage(slot)
    this.retry = new ScanRetry(ctx.schedules)
    this.matches = scan.match === undefined ? () => true : globMatcher(scan.match)
    this.slotCap = Math.max(scan.count, 256)
    this.binary = scan.page("0").spec.reply.binary
    this.timeoutMs = ctx.commandTimeoutMs
  }

  private isBusy(address: string): boolean {
    return this.active.some((pass) => pass.node.address === address)
  }

  /** The primary with the most open slots that is free to scan (not in `tried`), or why there is none. */
  pick(snapshot: ClusterSnapshot, tried: ReadonlySet<string>): Pick {
    const coverage = this.coverage
    let best: NodeTarget | undefined
    let bestCount = 0
    let failingWork = false
    let loadingWork = false
    let busyWork = false
    let served = 0
    for (const shard of snapshot.shards) {
      let count = 0
      for (const [start, end] of shard.slots) {
        for (let slot = start; slot <= end; slot++) if (coverage.isOpen(slot)) count++
      }
      if (count === 0) continue
      served += count
      const address = shard.primary.address
      if (this.isBusy(address) || tried.has(address)) {
        busyWork = true
        continue
      }
      if (this.failing.has(address)) {
        failingWork = true
        continue
      }
      if (this.loading.has(address)) {
        loadingWork = true
        continue
      }
      if (this.avoided.get(address) === snapshot.epoch) continue
      if (count > bestCount) {
        best = shard.primary
        bestCount = count
      }
    }
    if (best !== undefined) return { _tag: "node", node: best }
    // Passes in progress (or nodes just tried) come back for what is left on their nodes.
    if (busyWork || this.active.length > 0) return { _tag: "none" }
    if (failingWork) return { _tag: "waitFailing" }
    if (loadingWork) return { _tag: "waitLoading" }
    let open = 0
    for (let slot = 0; slot < SLOT_COUNT; slot++) if (coverage.isOpen(slot)) open++
    return open === 0 || served < open || this.avoided.size > 0 ? { _tag: "waitUnserved" } : { _tag: "none" }
  }

  clusterDown(reason: string): ClusterDownError {
    return new ClusterDownError({ command: "SCAN", slot: this.coverage.firstUnfinished(), reason, attempts: this.retry.attempts })
  }

  /** Ends a pass without confirming anything; a pass cut short by a lost connection may be resumed later. */
  abandon(pass: Pass, resumable: boolean): void {
    this.remove(pass)
    if (resumable && pass.pending === undefined) {
      this.suspended.set(pass.node.address, {
        cursor: pass.cursor,
        runId: pass.before.runId,
        configEpoch: pass.before.configEpoch,
        candidates: new Set(pass.candidates)
      })
    }
  }

  private remove(pass: Pass): void {
    const index = this.active.indexOf(pass)
    if (index >= 0) this.active.splice(index, 1)
    this.coverage.release(pass.candidates)
    this.passesEnded++
  }

  /** A node answered LOADING (it restarted: its cursors are gone); it is waited for once nothing else can run. */
  nodeLoading(node: NodeTarget, raw: RespErrorReply, command: string): void {
    this.loading.add(node.address)
    this.lastLoading = replyError(raw, command)
  }

  nodeFailed(node: NodeTarget, error: RedisError): void {
    this.failing.add(node.address)
    this.lastFailure = error
    this.ctx.topology.requestRefresh("connectionLost")
  }

  /** A node's own view; `undefined` when it could not be read (the caller picks again). */
  readonly readState = Effect.fnUntraced({ self: this }, function*(this: ScanRun<K>, node: NodeTarget): Effect.fn.Return<NodeSlotState | undefined, RedisError> {
    const read = yield* Effect.result(readNodeSlotState(this.ctx.pool, node, this.timeoutMs))
    if (Result.isFailure(read)) {
      if (!isConnectionFailure(read.failure)) return yield* Effect.fail(read.failure)
      this.nodeFailed(node, read.failure)
      return undefined
    }
    const state = read.success
    if (isRespErrorReply(state)) {
      if (state.code !== "LOADING") return yield* Effect.fail(replyError(state, "CLUSTER NODES"))
      this.nodeLoading(node, state, "CLUSTER NODES")
      return undefined
    }
    return state
  })

  /**
   * Follows a page on its way: when it arrives while the consumer is waiting for it, the SCAN for the cursor it
   * carries goes out at once, from the connection's callback, so the node works on the next page while the fiber
   * is being scheduled and the page consumed. A page that arrives while the consumer is busy sends nothing: the
   * next one is sent when it is taken. Either way a pass is never more than one page ahead of the consumer.
   */
  private track(pass: Pass, reply: PendingReply): void {
    pass.inflight.push(reply)
    reply.onArrive = (raw) => {
      if (!reply.isAwaited || pass.inflight.length !== 1 || pass.inflight[0] !== reply || !this.active.includes(pass)) return
      const cursor = Array.isArray(raw) && raw.length === 2 ? raw[0] : undefined
      const text = typeof cursor === "string" ? cursor : cursor instanceof Uint8Array ? Buffer.from(cursor).toString("latin1") : undefined
      if (text === undefined || text === "0") return
      const following = PendingReply.start(this.ctx.pool, pass.node, this.scan.page(text).args, { binary: this.binary, timeoutMs: this.timeoutMs })
      if (following !== undefined) this.track(pass, following)
    }
  }

  /** Sends the SCAN for `cursor` on the node's connection (opened first if need be). */
  private sendPage(node: NodeTarget, cursor: string): Effect.Effect<PendingReply, RedisError> {
    const args = this.scan.page(cursor).args
    const options = { binary: this.binary, timeoutMs: this.timeoutMs }
    const now = PendingReply.start(this.ctx.pool, node, args, options)
    return now !== undefined ? Effect.succeed(now) : Effect.map(this.ctx.pool.connect(node), (conn) => PendingReply.send(conn, args, options))
  }

  /**
   * Starts a pass on `node`: "started", "skip" when the node has nothing for one now (try another), or "wait" when
   * all it has is slots in migration.
   */
  readonly startPass = Effect.fnUntraced({ self: this }, function*(this: ScanRun<K>, node: NodeTarget, epoch: number): Effect.fn.Return<"started" | "skip" | "wait", RedisError> {
    const coverage = this.coverage
    const state = yield* this.readState(node)
    if (state === undefined) return "skip" as const
    this.failing.delete(node.address)
    this.loading.delete(node.address)
    if (!state.primary) {
      // Demoted (a failover): the slot map is older than the cluster.
      this.avoided.set(node.address, epoch)
      this.ctx.topology.requestRefresh("readOnly")
      return "skip" as const
    }
    let candidates: Array<number> = []
    let migrating = false
    let owned = 0
    let ownsFinished = false
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      if (state.owned[slot] !== 1) continue
      owned++
      if (coverage.isFinished(slot)) ownsFinished = true
      else if (coverage.isOpen(slot)) {
        if (state.migrating.has(slot)) migrating = true
        else candidates.push(slot)
      }
    }
    if (candidates.length === 0) {
      if (migrating) return "wait" as const
      // The node serves none of the slots the map gives it: the map is older than a reshard.
      this.avoided.set(node.address, epoch)
      this.ctx.topology.requestRefresh("moved")
      return "skip" as const
    }
    let cursor = "0"
    const suspended = this.suspended.get(node.address)
    this.suspended.delete(node.address)
    if (suspended !== undefined && suspended.runId === state.runId && suspended.configEpoch === state.configEpoch) {
      // The same process, no slot taken over since: its cursor still holds for the slots it was scanning.
      const still = candidates.filter((slot) => suspended.candidates.has(slot))
      if (still.length > 0) {
        cursor = suspended.cursor
        candidates = still
      }
    }
    if (cursor === "0" && !this.hashTagged && this.scan.type === undefined && candidates.length * 2 <= owned) {
      // Few open slots on a node that serves many: read them, not the node (see the module comment).
      const small = candidates.filter((slot) => !this.bigSlots.has(slot))
      if (small.length > 0) {
        coverage.claim(small)
        this.active.push({ node, cursor, candidates: small, pending: [...small], before: state, filter: false, inflight: [] })
        return "started" as const
      }
    }
    const filter = !this.hashTagged && (cursor !== "0" || state.migrating.size > 0 || state.importing.size > 0 || ownsFinished)
    const pass: Pass = { node, cursor, candidates, pending: undefined, before: state, filter, inflight: [] }
    coverage.claim(candidates)
    this.active.push(pass)
    const first = yield* Effect.result(this.sendPage(node, cursor))
    if (Result.isFailure(first)) {
      this.abandon(pass, true)
      if (!isConnectionFailure(first.failure)) return yield* Effect.fail(first.failure)
      this.nodeFailed(node, first.failure)
      return "skip" as const
    }
    this.track(pass, first.success)
    return "started" as const
  })

  /** The cursor is back at 0 (or every slot was read): confirms the candidates the node kept all along. */
  readonly endPass = Effect.fnUntraced({ self: this }, function*(this: ScanRun<K>, pass: Pass): Effect.fn.Return<void, RedisError> {
    // Still claimed while the node is asked, so no other pass takes these slots meanwhile.
    const after = yield* Effect.ensuring(this.readState(pass.node), Effect.sync(() => this.remove(pass)))
    if (after === undefined) return
    const before = pass.before
    const unchanged = after.primary && after.runId === before.runId && after.configEpoch === before.configEpoch
    const confirmed = unchanged ? pass.candidates.filter((slot) => after.owned[slot] === 1 && !after.migrating.has(slot)) : []
    this.coverage.finish(confirmed)
    if (confirmed.length < pass.candidates.length) this.ctx.topology.requestRefresh("moved")
  })

  /** The page of a SCAN pass that has arrived: its keys (possibly none); `undefined` when the pass ended badly. */
  readonly takePage = Effect.fnUntraced({ self: this }, function*(this: ScanRun<K>, pass: Pass): Effect.fn.Return<ReadonlyArray<K> | undefined, RedisError> {
    // Taken off the list only once it arrived: arriving first in the list is what lets it send the following page.
    const sent = yield* Effect.result(pass.inflight[0]!.await)
    pass.inflight.shift()
    if (Result.isFailure(sent)) {
      this.abandon(pass, true)
      if (!isConnectionFailure(sent.failure)) return yield* Effect.fail(sent.failure)
      this.nodeFailed(pass.node, sent.failure)
      return undefined
    }
    const raw = sent.success
    if (isRespErrorReply(raw)) {
      // Not resumable: a loading node was restarted, and any other error reply ends the scan.
      this.abandon(pass, false)
      if (raw.code !== "LOADING") return yield* Effect.fail(replyError(raw, "SCAN"))
      this.nodeLoading(pass.node, raw, "SCAN")
      return undefined
    }
    const page = this.scan.page(pass.cursor).spec.reply.decode(raw)
    if (page instanceof ReplyMismatch) {
      this.abandon(pass, false)
      return yield* Effect.fail(new DecodeError({ command: "SCAN", reason: page.reason, reply: raw }))
    }
    this.retry.reset()
    pass.cursor = page.cursor
    if (page.cursor !== "0" && pass.inflight.length === 0) {
      // Not sent when the page arrived (another page was waiting, or the connection was closed): send it now.
      const next = yield* Effect.result(this.sendPage(pass.node, page.cursor))
      if (Result.isFailure(next)) {
        this.abandon(pass, true)
        if (!isConnectionFailure(next.failure)) return yield* Effect.fail(next.failure)
        this.nodeFailed(pass.node, next.failure)
      } else {
        this.track(pass, next.success)
      }
    }
    let keys = page.items
    if (pass.filter) {
      const coverage = this.coverage
      keys = keys.filter((key) => !coverage.isFinished(keySlot(key as string | Uint8Array)))
    }
    if (page.cursor === "0") yield* this.endPass(pass)
    return keys
  })

  /** The next slots of a slot-by-slot pass: their keys (MATCH applied); `undefined` when the pass ended badly. */
  readonly readSlots = Effect.fnUntraced({ self: this }, function*(this: ScanRun<K>, pass: Pass, pending: Array<number>): Effect.fn.Return<ReadonlyArray<K> | undefined, RedisError> {
    const batch = pending.splice(0, SLOTS_PER_READ)
    const read = yield* Effect.result(PendingReply.sendAll(
      this.ctx.pool,
      pass.node,
      batch.map((slot) => ["CLUSTER", "GETKEYSINSLOT", slot, this.slotCap + 1]),
      { binary: this.binary, timeoutMs: this.timeoutMs }
    ))
    if (Result.isFailure(read)) {
      this.abandon(pass, false)
      if (!isConnectionFailure(read.failure)) return yield* Effect.fail(read.failure)
      this.nodeFailed(pass.node, read.failure)
      return undefined
    }
    const keys: Array<K> = []
    for (let i = 0; i < batch.length; i++) {
      const slot = batch[i]!, raw = read.success[i]!
      if (isRespErrorReply(raw)) {
        this.abandon(pass, false)
        if (raw.code !== "LOADING") return yield* Effect.fail(replyError(raw, "CLUSTER GETKEYSINSLOT"))
        this.nodeLoading(pass.node, raw, "CLUSTER GETKEYSINSLOT")
        return undefined
      }
      const binary = this.binary
      if (!Array.isArray(raw) || !raw.every((key) => binary ? key instanceof Uint8Array : typeof key === "string")) {
        this.abandon(pass, false)
        return yield* Effect.fail(new DecodeError({ command: "CLUSTER GETKEYSINSLOT", reason: "expected an array of keys", reply: raw }))
      }
      if (raw.length > this.slotCap) {
        // More than a reply may carry: leave the slot to a SCAN pass.
        this.bigSlots.add(slot)
        pass.candidates = pass.candidates.filter((s) => s !== slot)
        this.coverage.release([slot])
        continue
      }
      for (const key of raw as ReadonlyArray<string | Uint8Array>) if (this.matches(key)) keys.push(key as K)
    }
    this.retry.reset()
    if (pending.length === 0) yield* this.endPass(pass)
    return keys
  })

  /** Starts passes until `concurrency` run or no node is free; waits first when nothing can run at all. */
  readonly fill = Effect.fnUntraced({ self: this }, function*(this: ScanRun<K>): Effect.fn.Return<void, RedisError> {
    // Every free node was tried since the last pass ended: picking again would find the same.
    if (this.active.length > 0 && this.idleFillAt === this.passesEnded) return
    const tried = new Set<string>()
    let migrating = false
    while (this.active.length < this.scan.concurrency && this.coverage.remaining > 0) {
      const snapshot = this.ctx.topology.current()
      const next = this.pick(snapshot, tried)
      if (next._tag === "node") {
        tried.add(next.node.address)
        const started = yield* this.startPass(next.node, snapshot.epoch)
        if (started === "wait") migrating = true
        continue
      }
      if (this.active.length > 0) {
        this.idleFillAt = this.passesEnded
        return
      }
      if (migrating) {
        // Its keys are split between this node and the target until the migration ends: wait for it.
        yield* this.retry.wait("clusterDown", () => this.clusterDown("slots stayed in migration"))
      } else if (next._tag === "waitFailing") {
        yield* this.retry.wait("connection", () =>
          this.lastFailure ?? new ConnectionError({ address: "?", reason: "no primary answered", written: false }))
        this.failing.clear()
        yield* Effect.ignore(this.ctx.topology.refresh)
      } else if (next._tag === "waitLoading") {
        yield* this.retry.wait("loading", () => this.lastLoading!)
        this.loading.clear()
      } else if (next._tag === "waitUnserved") {
        // A fresh slot map, at once; and a step of the schedule either way, so a map that keeps changing without
        // letting the scan move on still ends the wait.
        yield* Effect.ignore(this.ctx.topology.refresh)
        if (this.ctx.topology.current().epoch === snapshot.epoch) this.avoided.clear()
        yield* this.retry.wait("clusterDown", () =>
          this.clusterDown(`${this.coverage.remaining} slot(s) are not served by any primary that answers`))
      }
      tried.clear()
      migrating = false
    }
  })

  /** One pull: the keys of the next page (or slots) that has some, or Done when every slot is finished. */
  readonly pull = Effect.fnUntraced({ self: this }, function*(this: ScanRun<K>): Effect.fn.Return<readonly [K, ...Array<K>], RedisError | Cause.Done> {
    while (true) {
      yield* this.fill()
      if (this.active.length === 0) {
        if (this.coverage.remaining === 0) return yield* Cause.done()
        continue
      }
      // A slot-by-slot pass runs its reads inline; SCAN passes are handled in the order their pages arrive.
      const reading = this.active.find((pass) => pass.pending !== undefined)
      let keys: ReadonlyArray<K> | undefined
      if (reading !== undefined) {
        keys = yield* this.readSlots(reading, reading.pending!)
      } else {
        const waiting = this.active.filter((pass) => pass.inflight.length > 0)
        if (waiting.length === 0) continue
        const index = waiting.length === 1 ? 0 : yield* PendingReply.first(waiting.map((pass) => pass.inflight[0]!))
        keys = yield* this.takePage(waiting[index]!)
      }
      if (keys !== undefined && keys.length > 0) return keys as readonly [K, ...Array<K>]
    }
  })
}

/**
 * Every key of the cluster, pass by pass over the primaries (`concurrency` at once), as described at the top of
 * this module. Each run of the stream starts from nothing.
 */
export const keyspaceScan = <K>(ctx: RequestContext, scan: KeyspaceScan<K>): Stream.Stream<K, RedisError> =>
  Stream.fromPull(Effect.sync(() => {
    const run = new ScanRun(ctx, scan)
    return Effect.suspend(() => run.pull())
  }))
