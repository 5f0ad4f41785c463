import { isRespErrorReply, type InvalidArgument, type RespValue } from "@effect-redis/resp"
import { Effect, Exit, Result } from "effect"
import type { Command } from "../../Command.ts"
import { DecodeError } from "../errors/DecodeError.ts"
import { InvalidArgumentError } from "../errors/InvalidArgumentError.ts"
import type { RedisError } from "../errors/RedisError.ts"
import { ReplyError } from "../errors/ReplyError.ts"
import { isUnknownCommandMessage, UnknownCommandError } from "../errors/UnknownCommandError.ts"
import { ReplyMismatch } from "../Reply.ts"
import { isTransaction } from "../transaction/Transaction.ts"
import { queueTransaction, runTransactionOnConnection } from "../transaction/TransactionOnConnection.ts"
import type { NodeConnection } from "./NodeConnection.ts"
import type { ConnectionFailure, ReplyWaiter } from "./ReplyWaiter.ts"

/** What running commands needs from a connection: `NodeConnection`'s queue and default timeout. */
export type CommandConnection = Pick<NodeConnection, "enqueue" | "commandTimeoutMs">

/**
 * What to do when a command's connection fails before its reply: return an Effect to resume the caller with
 * (typically: reconnect and send again when that is safe), or `undefined` to fail with the error.
 */
export type OnConnectionFailure = <A>(command: Command<A>, error: ConnectionFailure) => Effect.Effect<A, RedisError> | undefined

/**
 * Turns a raw reply into the command's typed outcome: error replies become `ReplyError` (`UnknownCommandError` when
 * the server has no such command or subcommand), shapes are checked. Every command's reply, standalone or cluster,
 * single or pipelined, passes here.
 */
export const decodeReply = <A>(command: Command<A>, raw: RespValue): Exit.Exit<A, RedisError> => {
  if (isRespErrorReply(raw)) {
    const message = raw.message
    return Exit.fail(
      raw.code === "ERR" && isUnknownCommandMessage(message)
        ? new UnknownCommandError({ command: command.spec.name, message })
        : new ReplyError({ code: raw.code, message, command: command.spec.name })
    )
  }
  const value = command.spec.reply.decode(raw)
  return value instanceof ReplyMismatch
    ? Exit.fail(new DecodeError({ command: command.spec.name, reason: value.reason, reply: raw }))
    : Exit.succeed(value)
}

/** The error for a command whose builder options or arguments cannot be sent. */
export const invalidArgument = (command: Command<unknown>, invalid: InvalidArgument | string): InvalidArgumentError =>
  typeof invalid === "string"
    ? new InvalidArgumentError({ command: command.spec.name, reason: invalid })
    : new InvalidArgumentError({ command: command.spec.name, index: invalid.index, reason: invalid.reason })

/** Deadline in ms for a command queued now with `timeoutMs`. */
const deadlineOf = (timeoutMs: number): number => (timeoutMs === Infinity ? Infinity : Date.now() + timeoutMs)

class CommandWaiter<A> implements ReplyWaiter {
  readonly cmd: Command<A>
  readonly resume: (effect: Effect.Effect<A, RedisError>) => void
  readonly deadline: number
  readonly timeoutMs: number
  readonly onConnectionFailure: OnConnectionFailure | undefined
  constructor(
    cmd: Command<A>,
    resume: (effect: Effect.Effect<A, RedisError>) => void,
    timeoutMs: number,
    onConnectionFailure: OnConnectionFailure | undefined
  ) {
    this.cmd = cmd
    this.resume = resume
    this.timeoutMs = timeoutMs
    this.deadline = deadlineOf(timeoutMs)
    this.onConnectionFailure = onConnectionFailure
  }
  get command(): string {
    return this.cmd.spec.name
  }
  get binary(): boolean {
    return this.cmd.spec.reply.binary
  }
  onReply(raw: RespValue): void {
    this.resume(decodeReply(this.cmd, raw))
  }
  onFailure(error: ConnectionFailure): void {
    const retry = error._tag === "ConnectionError" ? this.onConnectionFailure?.(this.cmd, error) : undefined
    this.resume(retry ?? Exit.fail(error))
  }
}

/**
 * Runs one command on one connection: queues it (auto-pipelined with everything else in this tick), waits for
 * its reply and decodes it. No fiber is forked and no Effect generator is built per call. A transaction
 * (`RedisClient.transaction`) is queued as MULTI, its commands and EXEC, and answered as one.
 */
export const runOnConnection = <A>(
  conn: CommandConnection,
  command: Command<A>,
  onConnectionFailure?: OnConnectionFailure,
  timeoutMs: number = conn.commandTimeoutMs
): Effect.Effect<A, RedisError> =>
  isTransaction(command)
    ? runTransactionOnConnection(conn, command, timeoutMs, onConnectionFailure) as Effect.Effect<A, RedisError>
    : runCommandOnConnection(conn, command, onConnectionFailure, timeoutMs)

const runCommandOnConnection = <A>(
  conn: CommandConnection,
  command: Command<A>,
  onConnectionFailure: OnConnectionFailure | undefined,
  timeoutMs: number
): Effect.Effect<A, RedisError> =>
  Effect.callback<A, RedisError>((resume) => {
    if (command.invalid !== undefined) return resume(Exit.fail(invalidArgument(command, command.invalid)))
    const invalid = conn.enqueue(command.args, new CommandWaiter(command, resume, timeoutMs, onConnectionFailure))
    if (invalid !== undefined) resume(Exit.fail(invalidArgument(command, invalid)))
  })

class PipelineWaiter implements ReplyWaiter {
  readonly batch: PipelineBatch
  readonly index: number
  readonly deadline: number
  readonly timeoutMs: number
  constructor(batch: PipelineBatch, index: number, deadline: number, timeoutMs: number) {
    this.batch = batch
    this.index = index
    this.deadline = deadline
    this.timeoutMs = timeoutMs
  }
  get command(): string {
    return this.batch.commands[this.index]!.spec.name
  }
  get binary(): boolean {
    return this.batch.commands[this.index]!.spec.reply.binary
  }
  onReply(raw: RespValue): void {
    const exit = decodeReply(this.batch.commands[this.index]!, raw)
    this.batch.settle(this.index, Exit.isSuccess(exit) ? Result.succeed(exit.value) : Result.fail(failureOf(exit)))
  }
  onFailure(error: ConnectionFailure): void {
    this.batch.settle(this.index, Result.fail(error))
  }
}

const failureOf = <A>(exit: Exit.Exit<A, RedisError>): RedisError => {
  if (Exit.isSuccess(exit)) throw new Error("unreachable")
  const reason = exit.cause.reasons[0]
  return reason !== undefined && reason._tag === "Fail" ? reason.error : (reason as never)
}

class PipelineBatch {
  readonly commands: ReadonlyArray<Command<unknown>>
  readonly results: Array<Result.Result<unknown, RedisError>>
  remaining: number
  readonly resume: (effect: Effect.Effect<Array<Result.Result<unknown, RedisError>>>) => void
  constructor(
    commands: ReadonlyArray<Command<unknown>>,
    resume: (effect: Effect.Effect<Array<Result.Result<unknown, RedisError>>>) => void
  ) {
    this.commands = commands
    this.results = new Array(commands.length)
    this.remaining = commands.length
    this.resume = resume
  }
  settle(index: number, result: Result.Result<unknown, RedisError>): void {
    this.results[index] = result
    if (--this.remaining === 0) this.resume(Exit.succeed(this.results))
  }
}

/**
 * Sends commands as one pipeline on one connection: all are queued in this tick, so they leave in one write and
 * their replies come back in order. Each command gets its own `Result`; the pipeline itself never fails. A
 * transaction among them is one element: MULTI, its commands and EXEC go out in their place, and its `Result` is
 * the transaction's.
 */
export const pipelineOnConnection = (
  conn: CommandConnection,
  commands: ReadonlyArray<Command<unknown>>,
  timeoutMs: number = conn.commandTimeoutMs
): Effect.Effect<Array<Result.Result<unknown, RedisError>>> =>
  Effect.callback<Array<Result.Result<unknown, RedisError>>>((resume) => {
    if (commands.length === 0) return resume(Exit.succeed([]))
    const batch = new PipelineBatch(commands, resume)
    const deadline = deadlineOf(timeoutMs)
    for (let i = 0; i < commands.length; i++) {
      const command = commands[i]!
      if (isTransaction(command)) {
        const index = i
        queueTransaction(conn, command, timeoutMs, (exit) =>
          batch.settle(index, Exit.isSuccess(exit) ? Result.succeed(exit.value) : Result.fail(failureOf(exit))))
        continue
      }
      if (command.invalid !== undefined) {
        batch.settle(i, Result.fail(invalidArgument(command, command.invalid)))
        continue
      }
      const invalid = conn.enqueue(command.args, new PipelineWaiter(batch, i, deadline, timeoutMs))
      if (invalid !== undefined) batch.settle(i, Result.fail(invalidArgument(command, invalid)))
    }
  })
