import { type Command, ConnectionError, CrossSlotError, DecodeError, type MergeRule, type PipelineResults, type RedisError, UnsupportedInClusterError, type WatchConflictError, type WatchTransaction } from "@effect-redis/client"
import { CommandFlags, hasFlag, invalidArgument, isTransaction, makeCommand, type Transaction, transactionRefusal } from "@effect-redis/client/Command"
import { runWatch, watchCommand } from "@effect-redis/client/Connection"
import type { RespArg } from "@effect-redis/resp"
import { Cause, Effect, Exit, Fiber, Result } from "effect"
import { keySlot } from "../../KeySlot.ts"
import type { NodeAddressParts } from "../topology/ClusterSnapshot.ts"
import { ClusterRequest, type RequestContext, type RequestTarget, type WriteListener } from "./ClusterRequest.ts"
import { ClusterTransactionRequest } from "./ClusterTransactionRequest.ts"
import { ClusterWatchRequest } from "./ClusterWatchRequest.ts"
import { commandSlot, slotArgument } from "./CommandSlot.ts"
import { crossSlotEmulation, type Emulation, routingEmulation, runEmulation, sortPatternError } from "./CrossSlotOperations.ts"
import { mergeOf, type PartReply } from "./MergeRules.ts"
import { type OwnerShare, sharesByOwner } from "./SlotOwners.ts"
import { type SlotGroup, splitBySlot } from "./SlotSplit.ts"
import { transactionSlot, watchBodyCheck, watchSlot } from "./TransactionSlot.ts"

/** How one command is executed: one request, a fan-out, or a failure decided before sending. */
type Plan =
  | { readonly _tag: "single"; readonly target: RequestTarget }
  | { readonly _tag: "split"; readonly groups: ReadonlyArray<SlotGroup>; readonly merge: MergeRule }
  | { readonly _tag: "fanOut"; readonly primariesOnly: boolean; readonly merge: MergeRule }
  | { readonly _tag: "toOwners"; readonly shares: ReadonlyArray<OwnerShare> }
  | { readonly _tag: "fail"; readonly error: RedisError }
  /** Rebuilt client-side from single-slot commands (see CrossSlotOperations.ts). */
  | { readonly _tag: "emulate"; readonly emulation: Emulation }
  /** MULTI ... EXEC on the primary of `slot` (-1: no keys, any primary); `empty` ones succeed without sending. */
  | { readonly _tag: "transaction"; readonly slot: number; readonly empty: boolean }

/** Multi-key commands whose promise cannot survive being split: why, for their `CrossSlotError`. */
const ATOMIC_ONLY: Readonly<Record<string, string>> = {
  MSETNX: "MSETNX sets every key or none, and that cannot hold across slots (nodes); put the keys under one hash tag"
}

const SAME_SLOT = "the keys must share one hash slot; put them under one hash tag, e.g. {user:1}:a and {user:1}:b"

/**
 * Why `command` must not be routed on a cluster: it cannot work there (`unsupported`), or its reply would be one
 * node's part presented as the whole (`perNode`, for the calls its `appliesTo` accepts). Undefined otherwise.
 */
const clusterRefusal = (command: Command<unknown>): UnsupportedInClusterError | undefined => {
  const policy = command.spec.policy
  if (policy._tag === "unsupported" || (policy._tag === "perNode" && (policy.appliesTo === undefined || policy.appliesTo(command.args)))) {
    return new UnsupportedInClusterError({ command: command.spec.name, reason: policy.reason })
  }
  return undefined
}

/** Executes commands on a cluster: routing by policy, then one {@link ClusterRequest} per node visited. */
export class ClusterExecutor {
  readonly ctx: RequestContext
  /** Split multi-key commands whose keys span slots (non-atomic); `false` fails them with `CrossSlotError`. */
  readonly nonAtomicCrossSlot: boolean

  /**
   * The protocol the client asked for (default 3): emulated commands shape their raw replies like the server's
   * replies in it, so an untyped `Redis.call` sees the same value whether or not its keys span slots.
   */
  readonly protocol: 2 | 3

  constructor(ctx: RequestContext, options: { readonly nonAtomicCrossSlot?: boolean | undefined; readonly protocol?: 2 | 3 | undefined } = {}) {
    this.ctx = ctx
    this.nonAtomicCrossSlot = options.nonAtomicCrossSlot ?? true
    this.protocol = options.protocol ?? 3
  }

  /** Decides how `command` runs, before anything is sent. */
  plan(command: Command<unknown>): Plan {
    if (isTransaction(command)) return planTransaction(command)
    const policy = command.spec.policy
    if (command.invalid !== undefined) {
      // A command refused as a whole (SELECT through Redis.call) that the cluster refuses too: the cluster's reason
      // says more ("a cluster has a single database") than "needs a connection of its own".
      const refusal = hasFlag(command.spec.flags, CommandFlags.refused) ? clusterRefusal(command) : undefined
      return { _tag: "fail", error: refusal ?? invalidArgument(command, command.invalid) }
    }
    const refusal = clusterRefusal(command)
    if (refusal !== undefined) return { _tag: "fail", error: refusal }
    switch (policy._tag) {
      case "singleSlot":
      case "splitBySlot": {
        const slot = commandSlot(command)
        if (typeof slot === "number") {
          const sortError = sortPatternError(command)
          return sortError === undefined ? { _tag: "single", target: { slot } } : { _tag: "fail", error: sortError }
        }
        const name = command.spec.name
        const crossSlot = (reason: string): Plan => ({ _tag: "fail", error: new CrossSlotError({ command: name, slots: slot, reason }) })
        if (policy._tag === "singleSlot") {
          const emulation = crossSlotEmulation(name)
          if (emulation === undefined) return crossSlot(ATOMIC_ONLY[name] ?? SAME_SLOT)
          return this.nonAtomicCrossSlot ? { _tag: "emulate", emulation } : crossSlot(`${SAME_SLOT} (nonAtomicCrossSlot is off)`)
        }
        if (!this.nonAtomicCrossSlot) return crossSlot(`${SAME_SLOT} (nonAtomicCrossSlot is off)`)
        const groups = splitBySlot(command)
        return typeof groups === "string"
          ? crossSlot(`${name} cannot be split by slot: ${groups}`)
          : { _tag: "split", groups, merge: policy.merge }
      }
      case "perNode":
      case "anyNode": {
        const emulation = routingEmulation(command.spec.name)
        return emulation === undefined ? { _tag: "single", target: { slot: -1 } } : { _tag: "emulate", emulation }
      }
      case "bySlotId": {
        const slot = slotArgument(command.args, policy.slotArgument)
        return slot === undefined
          ? { _tag: "fail", error: invalidArgument(command, `argument ${policy.slotArgument} is not a slot number (0-16383)`) }
          : { _tag: "single", target: { slot } }
      }
      case "slotsToOwners": {
        const shares = sharesByOwner(this.ctx.topology.current(), command.args, policy.arguments)
        return typeof shares === "string" ? { _tag: "fail", error: invalidArgument(command, shares) } : { _tag: "toOwners", shares }
      }
      case "allPrimaries":
        return { _tag: "fanOut", primariesOnly: true, merge: policy.merge }
      case "allNodes":
        return { _tag: "fanOut", primariesOnly: false, merge: policy.merge }
      case "unsupported":
        return { _tag: "fail", error: new UnsupportedInClusterError({ command: command.spec.name, reason: policy.reason }) }
    }
  }

  /** Runs one command. */
  run<A>(command: Command<A>, onWrite?: WriteListener): Effect.Effect<A, RedisError> {
    const plan = this.plan(command)
    switch (plan._tag) {
      case "single":
        return ClusterRequest.run(this.ctx, command, plan.target, onWrite)
      case "fail":
        return Effect.fail(plan.error)
      case "transaction":
        return plan.empty
          ? Effect.succeed([] as A)
          : ClusterTransactionRequest.runTransaction(this.ctx, command as Transaction<A>, { slot: plan.slot }, onWrite)
      case "fanOut":
        return this.fanOut(command, plan.primariesOnly, plan.merge, onWrite)
      case "split":
        return this.runSplit(command, plan.groups, plan.merge, onWrite)
      case "emulate":
        return runEmulation(this, command, plan.emulation, onWrite)
      case "toOwners":
        return Effect.flatMap(
          Effect.forEach(
            plan.shares,
            (share) => Effect.map(Effect.result(this.runOnNode(share.node, makeCommand(command.spec, share.args), onWrite)), (result) => ({ node: share.node.address, result })),
            { concurrency: "unbounded" }
          ),
          (parts) => Effect.fromResult(mergeOf("allAgree")(command.spec.name, parts) as Result.Result<A, RedisError>)
        )
    }
  }

  /**
   * Runs each slot's share concurrently and merges the replies: `keyOrder` puts values back in the caller's key
   * order, other rules combine them (sum, all agree...). Not atomic: some shares may succeed while others fail,
   * and the merged result then fails with the first failure in key order.
   */
  private runSplit<A>(command: Command<A>, groups: ReadonlyArray<SlotGroup>, rule: MergeRule, onWrite?: WriteListener): Effect.Effect<A, RedisError> {
    const ctx = this.ctx
    // The shares run as one pipeline: no fiber per share (an MGET of 100 keys has ~100 of them), each node's shares
    // leave in one write, and every share is cancelled if the caller is interrupted.
    return Effect.flatMap(
      this.pipelineResults(groups.map((group) => group.command), onWrite),
      (results) => {
        const snapshot = ctx.topology.current()
        const parts: Array<PartReply<unknown>> = results.map((result, i) => ({
          node: snapshot.shardForSlot(groups[i]!.slot)?.primary.address ?? "?",
          result
        }))
        if (rule === "keyOrder") {
          for (const part of parts) if (Result.isFailure(part.result)) return Effect.fail(part.result.failure)
          const out: Array<unknown> = []
          parts.forEach((part, i) => {
            const values = (part.result as Result.Success<ReadonlyArray<unknown>, RedisError>).success
            groups[i]!.keyPositions.forEach((position, j) => (out[position] = values[j]))
          })
          return Effect.succeed(out as A)
        }
        return Effect.fromResult(mergeOf(rule)(command.spec.name, parts) as Result.Result<A, RedisError>)
      }
    )
  }

  /**
   * Runs a command on each selected node and returns every node's own result, by `host:port` (the
   * redis-py-cluster form of a fan-out).
   */
  onNodes<A>(nodes: ReadonlyArray<NodeAddressParts & { readonly address: string }>, command: Command<A>): Effect.Effect<ReadonlyMap<string, Result.Result<A, RedisError>>> {
    return Effect.map(this.partsOn(nodes, command), (parts) => new Map(parts.map((part) => [part.node, part.result])))
  }

  /** Runs a command on each node concurrently; each node's own outcome, in node order. */
  private partsOn<A>(
    nodes: ReadonlyArray<NodeAddressParts & { readonly address: string }>,
    command: Command<A>,
    onWrite?: WriteListener
  ): Effect.Effect<Array<PartReply<A>>> {
    return Effect.map(
      Effect.forEach(nodes, (node) => Effect.result(this.runOnNode(node, command, onWrite)), { concurrency: "unbounded" }),
      (results) => results.map((result, i) => ({ node: nodes[i]!.address, result }))
    )
  }

  /** Runs one command on one node, whatever the slot map says; redirects come back as `ReplyError`s. */
  runOnNode<A>(node: NodeAddressParts, command: Command<A>, onWrite?: WriteListener): Effect.Effect<A, RedisError> {
    if (isTransaction(command)) {
      // The node is the caller's choice: no slot check, and a redirect is the caller's to see.
      const refusal = transactionRefusal(command.commands)
      if (refusal !== undefined) return Effect.fail(refusal)
      if (command.commands.length === 0) return Effect.succeed([] as A)
      return ClusterTransactionRequest.runTransaction(this.ctx, command as Transaction<A>, { node }, onWrite)
    }
    if (command.invalid !== undefined) return Effect.fail(invalidArgument(command, command.invalid))
    return ClusterRequest.run(this.ctx, command, { node }, onWrite)
  }

  /** Sends a command to every primary (or every node) and merges the replies by the command's rule. */
  private fanOut<A>(command: Command<A>, primariesOnly: boolean, merge: MergeRule, onWrite?: WriteListener): Effect.Effect<A, RedisError> {
    return Effect.suspend(() => {
      const snapshot = this.ctx.topology.current()
      const nodes = primariesOnly ? snapshot.shards.map((shard) => shard.primary) : [...snapshot.nodes.values()]
      if (nodes.length === 0) {
        return Effect.fail(new DecodeError({ command: command.spec.name, reason: "no node to send the command to", reply: null }))
      }
      return Effect.flatMap(
        this.partsOn(nodes, command, onWrite),
        (parts) => Effect.fromResult(mergeOf(merge)(command.spec.name, parts) as Result.Result<A, RedisError>)
      )
    })
  }

  /**
   * Runs commands as a pipeline: every command is routed and queued in this tick, so each node gets its share in
   * one write; redirects and retries are per command. Returns each command's own result, in order.
   */
  pipelineResults<const Cs extends ReadonlyArray<Command<any>>>(commands: Cs, onWrite?: WriteListener): Effect.Effect<PipelineResults<Cs>> {
    const ctx = this.ctx
    return Effect.withFiber((fiber) =>
      Effect.callback<PipelineResults<Cs>>((resume) => {
        const count = commands.length
        const results = new Array<Result.Result<unknown, RedisError>>(count)
        let remaining = count
        if (count === 0) return resume(Exit.succeed(results as PipelineResults<Cs>))
        let forked: Set<Fiber.Fiber<unknown, unknown>> | undefined
        const requests: Array<ClusterRequest<unknown>> = []
        const settle = (index: number, exit: Exit.Exit<unknown, RedisError>) => {
          results[index] = Exit.isSuccess(exit) ? Result.succeed(exit.value) : Result.fail(failureOf(exit.cause))
          if (--remaining === 0) resume(Exit.succeed(results as PipelineResults<Cs>))
        }
        // A command that must wait (connect, retry delay) continues in its own fiber; the rest stay callbacks.
        const completeWith = (index: number) => (effect: Effect.Effect<unknown, RedisError>) => {
          if (Exit.isExit(effect)) return settle(index, effect as Exit.Exit<unknown, RedisError>)
          const child = Effect.runForkWith(fiber.context)(effect)
          ;(forked ??= new Set()).add(child)
          child.addObserver((exit) => {
            forked!.delete(child)
            settle(index, exit)
          })
        }
        for (let i = 0; i < count; i++) {
          const command = commands[i]!
          const plan = this.plan(command)
          if (plan._tag === "single") {
            const request = new ClusterRequest(ctx, command, plan.target, completeWith(i), onWrite)
            requests.push(request)
            request.send()
          } else if (plan._tag === "transaction") {
            if (plan.empty) {
              settle(i, Exit.succeed([]))
              continue
            }
            const request = new ClusterTransactionRequest(ctx, command as Transaction<unknown>, { slot: plan.slot }, completeWith(i), onWrite)
            requests.push(request)
            request.send()
          } else if (plan._tag === "fail") {
            settle(i, Exit.fail(plan.error))
          } else {
            completeWith(i)(this.run(command, onWrite))
          }
        }
        // Interruption waits for blocking commands to be ended on their servers (see ClusterRequest.interrupt).
        return Effect.suspend(() =>
          Effect.andThen(
            Effect.forEach(requests, (request) => request.interrupt(), { concurrency: "unbounded", discard: true }),
            forked === undefined ? Effect.void : Fiber.interruptAll(forked)
          )
        )
      })
    )
  }

  /**
   * A WATCH body on a cluster: the keys' slot (one slot, else `CrossSlotError`), WATCH on a connection leased from
   * that slot's primary (redirects followed before the body runs), then the body, whose commands must stay in that
   * slot. `onWrite` hears about the body's transaction when it wrote (`ensureReplication`).
   */
  watch<A, E, R>(
    keys: ReadonlyArray<RespArg>,
    body: (tx: WatchTransaction) => Effect.Effect<A, E, R>,
    onWrite?: WriteListener
  ): Effect.Effect<A, E | RedisError | WatchConflictError, R> {
    const slot = watchSlot(keys)
    if (typeof slot !== "number") return Effect.fail(slot)
    return this.watchOn({ slot }, keys, body, watchBodyCheck(slot), onWrite)
  }

  /** A WATCH body on one node, whatever the slot map says (a node-bound client): redirects are the caller's to see. */
  watchOnNode<A, E, R>(
    node: NodeAddressParts,
    keys: ReadonlyArray<RespArg>,
    body: (tx: WatchTransaction) => Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | RedisError | WatchConflictError, R> {
    if (keys.length === 0) return Effect.fail(invalidArgument(watchCommand(keys), "WATCH needs at least one key"))
    return this.watchOn({ node }, keys, body, undefined, undefined)
  }

  private watchOn<A, E, R>(
    target: RequestTarget,
    keys: ReadonlyArray<RespArg>,
    body: (tx: WatchTransaction) => Effect.Effect<A, E, R>,
    check: ((command: Command<unknown>) => RedisError | undefined) | undefined,
    onWrite: WriteListener | undefined
  ): Effect.Effect<A, E | RedisError | WatchConflictError, R> {
    const ctx = this.ctx
    return runWatch({
      keys,
      acquire: ClusterWatchRequest.watchOn(ctx, watchCommand(keys), target),
      release: (conn, reusable) => ctx.pool.release(conn, reusable),
      timeoutMs: ctx.commandTimeoutMs,
      cluster: true,
      check,
      onWrite
    }, body)
  }
}

/** How a transaction runs: checked (nothing is sent when a command is refused), then on its keys' slot. */
const planTransaction = (transaction: Transaction<unknown>): Plan => {
  const refusal = transactionRefusal(transaction.commands)
  if (refusal !== undefined) return { _tag: "fail", error: refusal }
  const slot = transactionSlot(transaction.commands)
  if (typeof slot !== "number") return { _tag: "fail", error: slot }
  return { _tag: "transaction", slot, empty: transaction.commands.length === 0 }
}

const failureOf = (cause: Cause.Cause<RedisError>): RedisError => {
  for (const reason of cause.reasons) if (reason._tag === "Fail") return reason.error
  return new ConnectionError({ address: "?", reason: `interrupted: ${Cause.pretty(cause)}`, written: true })
}
