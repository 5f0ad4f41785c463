import { isRespErrorReply, type RespErrorReply, type RespValue } from "@effect-redis/resp"
import { Exit, Result } from "effect"
import type { Command } from "../../Command.ts"
import { decodeReply, invalidArgument } from "../connection/RunOnConnection.ts"
import { DecodeError } from "../errors/DecodeError.ts"
import type { RedisError } from "../errors/RedisError.ts"
import { ReplyError } from "../errors/ReplyError.ts"
import { TransactionCommandError } from "../errors/TransactionCommandError.ts"
import { WatchConflictError } from "../errors/WatchConflictError.ts"
import { isTransactionOutcome, type TransactionOutcome, wantsBytes } from "./TransactionAttempt.ts"
import type { Transaction } from "./Transaction.ts"

/** The codes that, answered inside a WATCH body on a cluster, mean the watched slot is moving or moved away. */
const SLOT_MOVED = new Set(["MOVED", "ASK", "TRYAGAIN"])

/** What a WATCH body's transaction needs to name its conflicts. */
export interface WatchedKeys {
  /** The watched keys as text, for `WatchConflictError.keys`. */
  readonly keys: ReadonlyArray<string>
}

/** Keys as text for error fields: bytes read as UTF-8. */
export const keyText = (key: RespValue): string =>
  key instanceof Uint8Array ? Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("utf8") : String(key)

/**
 * A reply read with bulk strings as bytes, back as the text replies a non-binary decoder expects (nested arrays,
 * maps and sets included). Only used when a transaction mixes binary and text commands.
 */
const asText = (value: RespValue): RespValue => {
  if (value instanceof Uint8Array) return keyText(value)
  if (Array.isArray(value)) return value.map(asText)
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [asText(k), asText(v)]))
  if (value instanceof Set) return new Set([...value].map(asText))
  return value
}

const refusedBy = (command: Command<unknown>, index: number, error: RespErrorReply): TransactionCommandError =>
  new TransactionCommandError({
    index,
    command: command.spec.name,
    executed: false,
    error: new ReplyError({ code: error.code, message: error.message, command: command.spec.name })
  })

const failedInside = (command: Command<unknown>, index: number, error: ReplyError | DecodeError): TransactionCommandError =>
  new TransactionCommandError({ index, command: command.spec.name, executed: true, error })

const conflict = (watched: WatchedKeys, reason: WatchConflictError["reason"], detail: string) =>
  new WatchConflictError({ keys: watched.keys, reason, detail })

/**
 * A transaction's value or typed error from what its attempt reported (see `sendTransaction`): a
 * `TransactionOutcome`, or a bare error reply (EXEC's own routing error, which the cluster executor normally
 * handles before; anything reaching here fails as EXEC's `ReplyError`).
 *
 * With `watched` (a WATCH body's transaction): EXEC answering nil is a `WatchConflictError` ("changed"), and on a
 * cluster a MOVED, ASK or TRYAGAIN is one too ("moved"): the WATCH lives on this node, so the transaction must not
 * be sent to another; the body has to run again.
 */
export const decodeTransaction = (
  transaction: Transaction<unknown>,
  value: RespValue,
  watched?: WatchedKeys
): Exit.Exit<unknown, RedisError | WatchConflictError> => {
  if (!isTransactionOutcome(value)) {
    if (isRespErrorReply(value)) {
      if (watched !== undefined && SLOT_MOVED.has(value.code)) return Exit.fail(conflict(watched, "moved", value.message))
      return Exit.fail(new ReplyError({ code: value.code, message: value.message, command: "EXEC" }))
    }
    return Exit.fail(new DecodeError({ command: "EXEC", reason: "not a transaction outcome", reply: value }))
  }
  return decodeOutcome(transaction, value, watched)
}

const decodeOutcome = (
  transaction: Transaction<unknown>,
  outcome: TransactionOutcome,
  watched: WatchedKeys | undefined
): Exit.Exit<unknown, RedisError | WatchConflictError> => {
  const commands = transaction.commands
  switch (outcome.kind) {
    case "executed":
      return decodeExecuted(transaction, outcome.replies)
    case "conflict":
      return watched !== undefined
        ? Exit.fail(conflict(watched, "changed", "a watched key was modified after WATCH: EXEC answered nil"))
        : Exit.fail(new DecodeError({ command: "EXEC", reason: "EXEC answered nil, yet nothing was watched", reply: null }))
    case "refused": {
      const error = outcome.error!
      if (watched !== undefined && SLOT_MOVED.has(error.code)) return Exit.fail(conflict(watched, "moved", error.message))
      return Exit.fail(refusedBy(commands[outcome.index]!, outcome.index, error))
    }
    case "execFailed": {
      const error = outcome.error
      if (error === undefined) {
        return Exit.fail(new DecodeError({ command: "EXEC", reason: "EXEC answered neither an array nor nil", reply: outcome.replies[0] ?? null }))
      }
      if (watched !== undefined && SLOT_MOVED.has(error.code)) return Exit.fail(conflict(watched, "moved", error.message))
      return Exit.fail(new ReplyError({ code: error.code, message: error.message, command: "EXEC" }))
    }
    case "multiRefused": {
      const error = outcome.error!
      return Exit.fail(new ReplyError({
        code: error.code,
        message: `${error.message} (MULTI was refused, so the commands after it ran one by one, outside a transaction)`,
        command: "MULTI"
      }))
    }
    case "unencodable": {
      const command = commands[outcome.index]!
      return Exit.fail(new TransactionCommandError({
        index: outcome.index,
        command: command.spec.name,
        executed: false,
        error: invalidArgument(command, outcome.invalid!)
      }))
    }
  }
}

/**
 * EXEC's replies, one per command, decoded by each command's own reply decoder. `values` mode fails with the first
 * command that failed (its error reply, or a reply its decoder rejects), wrapped with its index; `results` mode
 * gives each command its own `Result`, as a pipeline does.
 */
const decodeExecuted = (transaction: Transaction<unknown>, replies: ReadonlyArray<RespValue>): Exit.Exit<unknown, RedisError> => {
  const commands = transaction.commands
  if (replies.length !== commands.length) {
    return Exit.fail(new DecodeError({ command: "EXEC", reason: `expected ${commands.length} replies, got ${replies.length}`, reply: replies as RespValue }))
  }
  const bytes = wantsBytes(transaction)
  const values = transaction.mode === "values"
  const out: Array<unknown> = new Array(commands.length)
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i]!
    const raw = bytes && !command.spec.reply.binary ? asText(replies[i]!) : replies[i]!
    const exit = decodeReply(command, raw)
    if (Exit.isSuccess(exit)) {
      out[i] = values ? exit.value : Result.succeed(exit.value)
      continue
    }
    const error = firstFailure(exit)
    if (values) return Exit.fail(failedInside(command, i, error as ReplyError | DecodeError))
    out[i] = Result.fail(error)
  }
  return Exit.succeed(out)
}

const firstFailure = (exit: Exit.Failure<unknown, RedisError>): RedisError => {
  for (const reason of exit.cause.reasons) if (reason._tag === "Fail") return reason.error
  return new DecodeError({ command: "EXEC", reason: "a reply decoder died", reply: null })
}
