import type { RespArg } from "@effect-redis/resp"
import { type Command, type CommandSpec, makeCommand, makeSpec } from "../../Command.ts"
import { ClusterPolicy } from "../ClusterPolicy.ts"
import { CommandFlags, hasFlag } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import { makeReply, ReplyMismatch } from "../Reply.ts"
import { Schema } from "effect"

/**
 * How a transaction reports its commands' outcomes once EXEC ran: `values` fails the whole transaction with the
 * first command that failed (`RedisClient.transaction`), `results` gives every command its own `Result`
 * (`RedisClient.transactionResults`).
 */
export type TransactionMode = "values" | "results"

/**
 * A transaction as a value: MULTI, its commands, EXEC, sent in one write on one connection and answered as one
 * reply. Like every `Command` it is an Effect (`yield* RedisClient.transaction([...])`) and can be one element of a
 * pipeline.
 *
 * Its `spec` and `args` describe MULTI only; the executors (standalone and cluster) recognise a transaction with
 * {@link isTransaction} and send its {@link Transaction.commands}. `invalid` is set so that code which does not know
 * transactions (a `RedisClient` of your own, a lower-level runner) refuses it instead of sending a bare MULTI.
 */
export interface Transaction<A> extends Command<A> {
  /** The commands between MULTI and EXEC, in order. */
  readonly commands: ReadonlyArray<Command<unknown>>
  /** See {@link TransactionMode}. */
  readonly mode: TransactionMode
}

/**
 * The reply of every transaction spec. Never used to decode (the executors decode a transaction's commands one by
 * one): it marks a spec as a transaction's, which is what {@link isTransaction} tests.
 */
const transactionReply = makeReply(
  Schema.Unknown,
  (raw) => new ReplyMismatch("a transaction's replies, decoded by the client's executor", raw)
)

const MULTI: ReadonlyArray<RespArg> = ["MULTI"]

const UNKNOWN_TO_EXECUTOR =
  "a transaction must be run by RedisClient (RedisNode.layer, RedisCluster.layer) or inside a pipeline: this runner does not know transactions"

/** The spec for each combination of flags, built on first use (Command.ts may still be loading when this module is). */
const specs = new Map<number, CommandSpec<unknown>>()

const specFor = (flags: number): CommandSpec<unknown> => {
  let spec = specs.get(flags)
  if (spec === undefined) {
    spec = makeSpec({ name: "MULTI", flags, keys: noKeys, reply: transactionReply, policy: ClusterPolicy.anyNode })
    specs.set(flags, spec)
  }
  return spec
}

/**
 * The flags a transaction carries, from its commands: `readonly` when every command only reads (then, like a read,
 * it may be sent again after a lost connection, and `ensureReplication` does not wait for it), `replaySafe` when
 * every command is a read or replay-safe, `write` otherwise.
 */
const flagsOf = (commands: ReadonlyArray<Command<unknown>>): number => {
  let readonly = true
  let replaySafe = true
  for (const command of commands) {
    const flags = command.spec.flags
    if (!hasFlag(flags, CommandFlags.readonly)) {
      readonly = false
      if (!hasFlag(flags, CommandFlags.replaySafe)) replaySafe = false
    }
  }
  if (readonly) return CommandFlags.readonly
  return CommandFlags.write | (replaySafe ? CommandFlags.replaySafe : 0)
}

/** Builds a transaction of `commands` (see {@link Transaction}). */
export const makeTransaction = <A>(commands: ReadonlyArray<Command<unknown>>, mode: TransactionMode): Transaction<A> => {
  const self = makeCommand(specFor(flagsOf(commands)), MULTI, UNKNOWN_TO_EXECUTOR) as unknown as {
    commands: ReadonlyArray<Command<unknown>>
    mode: TransactionMode
    toString: () => string
  }
  self.commands = commands
  self.mode = mode
  self.toString = transactionText
  return self as unknown as Transaction<A>
}

function transactionText(this: Transaction<unknown>): string {
  return `Transaction(${this.commands.map((command) => String(command).slice("Command(".length, -1)).join("; ")})`
}

/** Whether `command` is a {@link Transaction}: one property comparison, cheap enough for every command sent. */
export const isTransaction = (command: Command<unknown>): command is Transaction<unknown> =>
  command.spec.reply === transactionReply
