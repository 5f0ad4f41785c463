import type { RespArg } from "@effect-redis/resp"
import { Context, type Effect, Effectable } from "effect"
import { ClusterPolicy } from "./internal/ClusterPolicy.ts"
import { clusterRoutingOf } from "./internal/ClusterRouting.ts"
import { CommandFlags, type CommandFlagSet } from "./internal/CommandFlags.ts"
import type { RedisError } from "./internal/errors/RedisError.ts"
import { firstKey, type KeyPositions, keyIndexes, noKeys } from "./internal/KeyPositions.ts"
import type { Reply } from "./internal/Reply.ts"
import { RedisClient } from "./RedisClient.ts"

/**
 * What every command of one kind shares: its name, flags, where its keys are, how its reply is decoded and how a
 * cluster executes it. Built once per command kind (per builder), never per call.
 */
export interface CommandSpec<A> {
  /** The command as Redis names it, with the subcommand for container commands: `GET`, `OBJECT ENCODING`. */
  readonly name: string
  /** {@link CommandFlags} bits. */
  readonly flags: CommandFlagSet
  /** Where the keys are among the arguments. */
  readonly keys: KeyPositions
  /** How the reply becomes an `A`. */
  readonly reply: Reply<A>
  /** How a cluster client routes the command and merges replies. */
  readonly policy: ClusterPolicy
  /**
   * For commands that may block the connection (BLPOP, XREAD BLOCK, WAIT...): how long, in milliseconds, the
   * server may hold the reply for these arguments (`0` = until data arrives), or `undefined` when this call
   * does not block (XREAD without BLOCK). Clients run blocking calls on a dedicated connection so they never
   * stall other commands, and extend the command's deadline by this much.
   */
  readonly blockingTimeout: ((args: ReadonlyArray<RespArg>) => number | undefined) | undefined
}

const CommandTypeId = "~@effect-redis/client/Command" as const

/**
 * A Redis command as a pure value: its spec and its full argument list (`args[0]` is the command name).
 *
 * A `Command<A>` is also an `Effect<A, RedisError, RedisClient>`: `yield* Redis.get("k")` runs it on whichever
 * client the program is given (standalone or cluster), and the same value can be put in a pipeline. Building a
 * command does no I/O and may be done once and run many times.
 */
export interface Command<A> extends Effect.Effect<A, RedisError, RedisClient> {
  readonly [CommandTypeId]: typeof CommandTypeId
  /** The shared description of this kind of command. */
  readonly spec: CommandSpec<A>
  /** The full command line: name (and subcommand) first, then the arguments. */
  readonly args: ReadonlyArray<RespArg>
  /**
   * Set when the builder was given options that cannot be sent (e.g. both NX and XX): running the command fails
   * with an `InvalidArgumentError` carrying this reason, without touching the network.
   */
  readonly invalid: string | undefined
  /** `spec.name`. */
  readonly name: string
  /** Indices in `args` of the key arguments. */
  readonly keyIndexes: ReadonlyArray<number>
}

const CommandProto = {
  ...Effectable.Prototype<Command<any>>({
    label: "Command",
    evaluate(fiber) {
      // Read the client from the fiber's context directly: no extra flatMap/allocation per command.
      return Context.getUnsafe(fiber.context as Context.Context<RedisClient>, RedisClient).run(this)
    }
  }),
  [CommandTypeId]: CommandTypeId,
  get name(): string {
    return (this as unknown as Command<unknown>).spec.name
  },
  get keyIndexes(): ReadonlyArray<number> {
    const self = this as unknown as Command<unknown>
    return keyIndexes(self.spec.keys, self.args)
  },
  toJSON(this: Command<unknown>) {
    return { _id: "Command", name: this.spec.name, args: this.args.map(describeArg) }
  },
  toString(this: Command<unknown>) {
    return `Command(${this.args.map(describeArg).join(" ")})`
  }
}

const describeArg = (arg: RespArg): string =>
  arg instanceof Uint8Array ? `<${arg.length} bytes>` : String(arg)

/** Whether `u` is a {@link Command}. */
export const isCommand = (u: unknown): u is Command<unknown> =>
  typeof u === "object" && u !== null && CommandTypeId in u

/** Builds one command from its spec and full argument list (`args[0]` is the command name). */
export const makeCommand = <A>(spec: CommandSpec<A>, args: ReadonlyArray<RespArg>, invalid?: string): Command<A> => {
  const self = Object.create(CommandProto)
  self.spec = spec
  self.args = args
  self.invalid = invalid
  return self
}

/** Marks a builder's arguments as unsendable (see {@link Command.invalid}). */
export class InvalidOptions {
  readonly reason: string
  constructor(reason: string) {
    this.reason = reason
  }
}

/** What a command definition's `args` function returns: the full command line, or why it cannot be sent. */
export type CommandLine = ReadonlyArray<RespArg> | InvalidOptions

/** A declarative command entry: everything {@link defineCommand} needs. */
export interface CommandDefinition<Params extends ReadonlyArray<any>, A> {
  /** The command's name, with the subcommand for container commands (`OBJECT ENCODING`). */
  readonly name: string
  /** {@link CommandFlags} bits; default none. */
  readonly flags?: CommandFlagSet
  /** Where the keys are; default: the first argument after the name when `policy` is single-slot, else none. */
  readonly keys?: KeyPositions
  /** How the reply is decoded. */
  readonly reply: Reply<A>
  /**
   * Cluster routing; default: the routing table's entry for `name` (`ClusterRouting.ts`), else `singleSlot` when
   * the command has keys, `anyNode` otherwise.
   */
  readonly policy?: ClusterPolicy | undefined
  /** Builds the full command line (name first) from the builder's parameters. */
  readonly args: (...params: Params) => CommandLine
  /** See {@link CommandSpec.blockingTimeout}; setting it also sets the `blocking` flag. */
  readonly blockingTimeout?: ((args: ReadonlyArray<RespArg>) => number | undefined) | undefined
}

/**
 * Defines a command builder from one declarative entry:
 *
 * ```ts
 * export const get = defineCommand({
 *   name: "GET", flags: CommandFlags.readonly, keys: firstKey, reply: Replies.optionalString,
 *   args: (key: RedisKey) => ["GET", key]
 * })
 * ```
 */
export const defineCommand = <Params extends ReadonlyArray<any>, A>(
  definition: CommandDefinition<Params, A>
): CommandBuilder<Params, A> => {
  const spec = specOf(definition)
  const build = definition.args
  const builder = (...params: Params) => {
    const line = build(...params)
    return line instanceof InvalidOptions ? makeCommand(spec, [definition.name], line.reason) : makeCommand(spec, line)
  }
  return Object.assign(builder, { spec })
}

/** What {@link defineCommand} returns: the builder, carrying its spec (for docs and catalog checks). */
export type CommandBuilder<Params extends ReadonlyArray<any>, A> = ((...params: Params) => Command<A>) & {
  readonly spec: CommandSpec<A>
}

/**
 * Builds the shared spec of a definition, filling the defaults, and records it among {@link allDefinedSpecs}.
 * Meant for specs built once, at module level; per-call specs (untyped calls) use {@link makeSpec}.
 */
export const specOf = <A>(definition: Omit<CommandDefinition<any, A>, "args">): CommandSpec<A> => {
  const spec = makeSpec(definition)
  definedSpecs.push(spec as CommandSpec<unknown>)
  return spec
}

/** Builds a spec like {@link specOf} without recording it (for specs built per call). */
export const makeSpec = <A>(definition: Omit<CommandDefinition<any, A>, "args">): CommandSpec<A> => {
  const routed = definition.policy ?? clusterRoutingOf(definition.name)
  const keys = definition.keys ?? (routed === undefined || routed._tag === "singleSlot" ? firstKey : noKeys)
  const hasKeys = keys !== noKeys
  return {
    name: definition.name,
    flags: (definition.flags ?? CommandFlags.none) | (definition.reply.binary ? CommandFlags.binaryReply : 0) |
      (definition.blockingTimeout !== undefined ? CommandFlags.blocking : 0),
    keys,
    reply: definition.reply,
    policy: routed ?? (hasKeys ? ClusterPolicy.singleSlot : ClusterPolicy.anyNode),
    blockingTimeout: definition.blockingTimeout
  }
}

const definedSpecs: Array<CommandSpec<unknown>> = []

/**
 * Every spec built so far by {@link specOf} (all the builders' specs once their modules are loaded): what the
 * catalog checks and docs/commands.md are computed from.
 */
export const allDefinedSpecs = (): ReadonlyArray<CommandSpec<unknown>> => definedSpecs


// --- the rest of the toolkit for defining commands (the `@effect-redis/client/Command` subpath) ---------------
export { ClusterPolicy, type MergeRule } from "./internal/ClusterPolicy.ts"
export { CommandFlags, type CommandFlagSet, hasFlag } from "./internal/CommandFlags.ts"
export { decodeReply, invalidArgument } from "./internal/connection/RunOnConnection.ts"
export {
  allKeys,
  firstKey,
  firstKeyIndex,
  keyIndexes,
  type KeyPositions,
  keysAfterCount,
  keysBeforeLast,
  keyValuePairs,
  noKeys,
  twoKeys
} from "./internal/KeyPositions.ts"
export { describeRespValue, fromSchema, makeReply, type Reply, ReplyMismatch } from "./internal/Reply.ts"
export { isTransaction, type Transaction, type TransactionMode } from "./internal/transaction/Transaction.ts"
export { commandRefusal, transactionRefusal } from "./internal/transaction/TransactionRefusal.ts"
