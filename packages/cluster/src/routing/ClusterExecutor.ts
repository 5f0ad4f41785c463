import {
  type Command,
  ConnectionError,
  CrossSlotError,
  DecodeError,
  firstKey,
  invalidArgument,
  keyIndexes,
  type MergeRule,
  type PipelineResults,
  type RedisError,
  UnsupportedInClusterError
} from "@effect-redis/client"
import type { RespArg } from "@effect-redis/resp"
import { Cause, Effect, Exit, type Fiber, Result } from "effect"
import { keySlot } from "../KeySlot.ts"
import type { NodeAddressParts } from "../topology/ClusterSnapshot.ts"
import { ClusterRequest, type RequestContext, type RequestTarget, type WriteListener } from "./ClusterRequest.ts"

/** How one command is executed: one request, a fan-out, or a failure decided before sending. */
type Plan =
  | { readonly _tag: "single"; readonly target: RequestTarget }
  | { readonly _tag: "fanOut"; readonly primariesOnly: boolean; readonly merge: MergeRule }
  | { readonly _tag: "fail"; readonly error: RedisError }

/**
 * The slot every key of `command` hashes to, -1 when it has no keys, or the distinct slots when they differ.
 * The common one-key case reads `args[1]` without building the key index list.
 */
export const commandSlot = (command: Command<unknown>): number | ReadonlyArray<number> => {
  const args = command.args
  if (command.spec.keys === firstKey) return args.length > 1 ? keySlot(args[1]!) : -1
  const indexes = keyIndexes(command.spec.keys, args)
  if (indexes.length === 0) return -1
  const first = keySlot(args[indexes[0]!]!)
  let slots: Array<number> | undefined
  for (let i = 1; i < indexes.length; i++) {
    const slot = keySlot(args[indexes[i]!]!)
    if (slot !== first) {
      slots ??= [first]
      if (!slots.includes(slot)) slots.push(slot)
    }
  }
  return slots ?? first
}

const slotArgument = (args: ReadonlyArray<RespArg>, index: number): number | undefined => {
  const value = Number(args[index])
  return Number.isInteger(value) && value >= 0 && value < 16384 ? value : undefined
}

/** Executes commands on a cluster: routing by policy, then one {@link ClusterRequest} per node visited. */
export class ClusterExecutor {
  readonly ctx: RequestContext

  constructor(ctx: RequestContext) {
    this.ctx = ctx
  }

  /** Decides how `command` runs, before anything is sent. */
  plan(command: Command<unknown>): Plan {
    if (command.invalid !== undefined) return { _tag: "fail", error: invalidArgument(command, command.invalid) }
    const policy = command.spec.policy
    switch (policy._tag) {
      case "singleSlot":
      case "splitBySlot": {
        const slot = commandSlot(command)
        if (typeof slot === "number") return { _tag: "single", target: { slot } }
        return {
          _tag: "fail",
          error: new CrossSlotError({
            command: command.spec.name,
            slots: slot,
            reason: "the keys must share one hash slot; put them under one hash tag, e.g. {user:1}:a and {user:1}:b"
          })
        }
      }
      case "anyNode":
        return { _tag: "single", target: { slot: -1 } }
      case "bySlotId": {
        const slot = slotArgument(command.args, policy.slotArgument)
        return slot === undefined
          ? { _tag: "fail", error: invalidArgument(command, `argument ${policy.slotArgument} is not a slot number (0-16383)`) }
          : { _tag: "single", target: { slot } }
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
      case "fanOut":
        return this.fanOut(command, plan.primariesOnly, plan.merge, onWrite)
    }
  }

  /** Runs one command on one node, whatever the slot map says; redirects come back as `ReplyError`s. */
  runOnNode<A>(node: NodeAddressParts, command: Command<A>, onWrite?: WriteListener): Effect.Effect<A, RedisError> {
    if (command.invalid !== undefined) return Effect.fail(invalidArgument(command, command.invalid))
    return ClusterRequest.run(this.ctx, command, { node }, onWrite)
  }

  /**
   * Sends a command to every primary (or every node) and merges the replies. The full set of merge rules and
   * per-node results arrive with the command catalog; these cover the commands typed so far.
   */
  private fanOut<A>(command: Command<A>, primariesOnly: boolean, merge: MergeRule, onWrite?: WriteListener): Effect.Effect<A, RedisError> {
    return Effect.suspend(() => {
      const snapshot = this.ctx.topology.current()
      const nodes = primariesOnly ? snapshot.shards.map((shard) => shard.primary) : [...snapshot.nodes.values()]
      return Effect.flatMap(
        Effect.forEach(nodes, (node) => ClusterRequest.run(this.ctx, command, { node }, onWrite), { concurrency: "unbounded" }),
        (values) => mergeValues(command, merge, values)
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
          } else if (plan._tag === "fail") {
            settle(i, Exit.fail(plan.error))
          } else {
            completeWith(i)(this.run(command, onWrite))
          }
        }
        return Effect.sync(() => {
          for (const request of requests) request.cancelled = true
          if (forked !== undefined) for (const child of forked) child.interruptUnsafe()
        })
      })
    )
  }
}

const failureOf = (cause: Cause.Cause<RedisError>): RedisError => {
  for (const reason of cause.reasons) if (reason._tag === "Fail") return reason.error
  return new ConnectionError({ address: "?", reason: `interrupted: ${Cause.pretty(cause)}`, written: true })
}

const sameValue = (a: unknown, b: unknown): boolean =>
  a === b || JSON.stringify(a, (_, v) => (typeof v === "bigint" ? `${v}n` : v)) === JSON.stringify(b, (_, v) => (typeof v === "bigint" ? `${v}n` : v))

/** Merges per-node values by `rule`. */
const mergeValues = <A>(command: Command<A>, rule: MergeRule, values: ReadonlyArray<A>): Effect.Effect<A, RedisError> => {
  const mismatch = (reason: string) =>
    Effect.fail(new DecodeError({ command: command.spec.name, reason, reply: values as never }))
  if (values.length === 0) return mismatch("no node to send the command to")
  switch (rule) {
    case "sum":
      return Effect.succeed(values.reduce((a, b) => (a as number) + (b as number), 0 as number) as A)
    case "allTrue":
    case "and":
      return Effect.succeed(values.every(Boolean) as A)
    case "union":
    case "keyOrder": {
      const out: Array<unknown> = []
      const seen = new Set<unknown>()
      for (const value of values) {
        for (const item of value as ReadonlyArray<unknown>) {
          if (rule === "keyOrder" || !seen.has(item)) {
            seen.add(item)
            out.push(item)
          }
        }
      }
      return Effect.succeed(out as A)
    }
    case "mergeMaps": {
      const out = new Map<unknown, unknown>()
      for (const value of values) for (const [k, v] of value as unknown as ReadonlyMap<unknown, unknown>) out.set(k, v)
      return Effect.succeed(out as A)
    }
    case "allAgree":
      return values.every((value) => sameValue(value, values[0]))
        ? Effect.succeed(values[0]!)
        : mismatch("the nodes gave different replies")
    case "firstSuccess":
      return Effect.succeed(values[0]!)
  }
}
