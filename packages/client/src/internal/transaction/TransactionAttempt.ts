import { type InvalidArgument, isRespErrorReply, type RespArg, type RespErrorReply, type RespValue } from "@effect-redis/resp"
import type { ConnectionFailure, ReplyWaiter } from "../connection/ReplyWaiter.ts"
import type { Transaction } from "./Transaction.ts"

/** What sending a transaction needs from a connection: the auto-pipelined `enqueue` of `NodeConnection`. */
export interface TransactionConnection {
  enqueue(args: ReadonlyArray<RespArg>, waiter: ReplyWaiter): InvalidArgument | undefined
}

/**
 * How one attempt at a transaction ended, when it ended with replies. Delivered to the attempt's sink as its
 * "reply"; `decodeTransaction` turns it into the transaction's value or typed error.
 *
 * - `executed`: EXEC answered with one reply per command (`replies`).
 * - `conflict`: EXEC answered nil: a watched key changed.
 * - `refused`: the server refused to queue command `index` (`error`), so EXEC answered EXECABORT: nothing ran.
 * - `execFailed`: EXEC itself answered `error` (other than EXECABORT): nothing ran.
 * - `multiRefused`: MULTI itself was refused (`error`). The commands after it were then not queued but run one by
 *   one, outside any transaction: not atomic, and not to be sent again.
 * - `unencodable`: command `index` had an argument that cannot be encoded (`invalid`); MULTI and the commands
 *   before it were followed by DISCARD, so nothing ran.
 */
export class TransactionOutcome {
  /** How the attempt ended (see the class comment). */
  readonly kind: "executed" | "conflict" | "refused" | "execFailed" | "multiRefused" | "unencodable"
  /** `executed`: EXEC's replies, one per command (error replies included). `execFailed`: what EXEC answered, when not an error. */
  readonly replies: ReadonlyArray<RespValue>
  /** `refused` / `unencodable`: the command's position in the transaction; -1 otherwise. */
  readonly index: number
  /** `refused`: the command's error reply; `execFailed`: EXEC's; `multiRefused`: MULTI's. */
  readonly error: RespErrorReply | undefined
  /** `unencodable`: which argument the encoder refused, and why. */
  readonly invalid: InvalidArgument | undefined
  constructor(
    kind: TransactionOutcome["kind"],
    options: {
      readonly replies?: ReadonlyArray<RespValue>
      readonly index?: number
      readonly error?: RespErrorReply
      readonly invalid?: InvalidArgument
    } = {}
  ) {
    this.kind = kind
    this.replies = options.replies ?? []
    this.index = options.index ?? -1
    this.error = options.error
    this.invalid = options.invalid
  }
}

/**
 * The error codes a cluster executor acts on (redirect, retry): with `routing` on, a transaction that met one of
 * them is reported as that bare error reply instead of an outcome, so the executor follows it as it would for a
 * single command. Every one of them means nothing of the transaction ran: a queued command that got one was not
 * queued (EXEC then answers EXECABORT), and EXEC that got one discarded the transaction.
 */
const ROUTING_CODES = new Set(["MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "LOADING", "READONLY"])

const MULTI: ReadonlyArray<RespArg> = ["MULTI"]
const EXEC: ReadonlyArray<RespArg> = ["EXEC"]
const DISCARD: ReadonlyArray<RespArg> = ["DISCARD"]
const ASKING: ReadonlyArray<RespArg> = ["ASKING"]

/**
 * One attempt: MULTI, the commands and EXEC queued back to back in the same tick, so they leave in one write and
 * nothing of another caller can come between them on the shared connection. Each part has a small waiter; the
 * attempt collects what MULTI and the queued commands answered and, when EXEC's reply comes, reports one outcome
 * to the sink. A failure (connection lost, timeout) is reported by EXEC's waiter only: whether EXEC was written is
 * what decides if the transaction may have run.
 */
class TransactionAttempt {
  readonly sink: ReplyWaiter
  readonly routing: boolean
  /** MULTI's error reply, when it was refused. */
  multiError: RespErrorReply | undefined = undefined
  /** The first command the server refused to queue, and its error reply. */
  refusedIndex = -1
  refusedError: RespErrorReply | undefined = undefined
  /** The outcome was reported (early, for an unencodable argument): later replies are ignored. */
  settled = false
  constructor(sink: ReplyWaiter, routing: boolean) {
    this.sink = sink
    this.routing = routing
  }

  onPart(index: number, raw: RespValue): void {
    if (this.settled || !isRespErrorReply(raw)) return
    if (index < 0) this.multiError = raw
    else if (this.refusedIndex < 0) {
      this.refusedIndex = index
      this.refusedError = raw
    }
  }

  onExec(raw: RespValue): void {
    if (this.settled) return
    this.settled = true
    const sink = this.sink
    if (this.multiError !== undefined) return sink.onReply(outcomeValue(new TransactionOutcome("multiRefused", { error: this.multiError })))
    if (Array.isArray(raw)) return sink.onReply(outcomeValue(new TransactionOutcome("executed", { replies: raw })))
    if (raw === null) return sink.onReply(outcomeValue(new TransactionOutcome("conflict")))
    if (isRespErrorReply(raw)) {
      const refused = this.refusedError
      if (refused !== undefined && raw.code === "EXECABORT") {
        if (this.routing && ROUTING_CODES.has(refused.code)) return sink.onReply(refused)
        return sink.onReply(outcomeValue(new TransactionOutcome("refused", { index: this.refusedIndex, error: refused })))
      }
      if (this.routing && ROUTING_CODES.has(raw.code)) return sink.onReply(raw)
      return sink.onReply(outcomeValue(new TransactionOutcome("execFailed", { error: raw })))
    }
    // Anything else is not an EXEC reply: report it as EXEC's failure, in the server's words.
    sink.onReply(outcomeValue(new TransactionOutcome("execFailed", { replies: [raw] })))
  }

  onExecFailure(error: ConnectionFailure): void {
    if (this.settled) return
    this.settled = true
    this.sink.onFailure(error)
  }
}

/** Outcomes travel through `ReplyWaiter.onReply`, which is typed for RESP values: they are never mistaken for one. */
const outcomeValue = (outcome: TransactionOutcome): RespValue => outcome as unknown as RespValue

/** The waiter of one part of an attempt: MULTI (`index` -1), queued command `index`, or EXEC (`index` = count). */
class PartWaiter implements ReplyWaiter {
  readonly attempt: TransactionAttempt
  readonly index: number
  readonly isExec: boolean
  readonly binary: boolean
  readonly deadline: number
  readonly timeoutMs: number
  constructor(attempt: TransactionAttempt, index: number, isExec: boolean, binary: boolean) {
    this.attempt = attempt
    this.index = index
    this.isExec = isExec
    this.binary = binary
    this.deadline = attempt.sink.deadline
    this.timeoutMs = attempt.sink.timeoutMs
  }
  get command(): string {
    return this.isExec ? "EXEC" : this.index < 0 ? "MULTI" : "QUEUED"
  }
  onReply(raw: RespValue): void {
    if (this.isExec) this.attempt.onExec(raw)
    else this.attempt.onPart(this.index, raw)
  }
  onFailure(error: ConnectionFailure): void {
    if (this.isExec) this.attempt.onExecFailure(error)
  }
}

/** The waiter of a part whose reply is not needed: the DISCARD closing an abandoned attempt, an ASKING. */
const discardWaiter = (deadline: number, timeoutMs: number, command = "DISCARD"): ReplyWaiter => ({
  command,
  binary: false,
  deadline,
  timeoutMs,
  onReply: () => {},
  onFailure: () => {}
})

/**
 * Whether EXEC's reply should be read with bulk strings as bytes: when any command wants bytes. The others'
 * replies are then turned back into text before they are decoded (see `decodeTransaction`).
 */
export const wantsBytes = (transaction: Transaction<unknown>): boolean => {
  for (const command of transaction.commands) if (command.spec.reply.binary) return true
  return false
}

/**
 * Queues one attempt at `transaction` on `conn` and reports to `sink` exactly once: `onReply` with a
 * {@link TransactionOutcome} (or, with `routing`, a bare MOVED/ASK/TRYAGAIN/CLUSTERDOWN/MASTERDOWN/LOADING/READONLY
 * error reply, which means nothing ran), or `onFailure` with EXEC's own failure (its `written` tells whether the
 * transaction may have run). The sink's deadline bounds every part.
 *
 * A command whose argument cannot be encoded stops the attempt: DISCARD follows what was queued (so the server
 * drops the transaction), and the sink hears an `unencodable` outcome at once. The commands must have passed
 * `transactionRefusal` first. `asking` sends ASKING before MULTI (after an ASK redirect).
 */
export const sendTransaction = (
  conn: TransactionConnection,
  transaction: Transaction<unknown>,
  sink: ReplyWaiter,
  routing: boolean,
  asking = false
): void => {
  const attempt = new TransactionAttempt(sink, routing)
  const commands = transaction.commands
  // After an ASK redirect the node serves the slot only to commands after ASKING; inside MULTI the flag lasts
  // until EXEC, and ASKING itself would be queued, so it goes once, before MULTI.
  if (asking) conn.enqueue(ASKING, discardWaiter(sink.deadline, sink.timeoutMs, "ASKING"))
  conn.enqueue(MULTI, new PartWaiter(attempt, -1, false, false))
  for (let i = 0; i < commands.length; i++) {
    const invalid = conn.enqueue(commands[i]!.args, new PartWaiter(attempt, i, false, false))
    if (invalid !== undefined) {
      conn.enqueue(DISCARD, discardWaiter(sink.deadline, sink.timeoutMs))
      attempt.settled = true
      return sink.onReply(outcomeValue(new TransactionOutcome("unencodable", { index: i, invalid })))
    }
  }
  conn.enqueue(EXEC, new PartWaiter(attempt, commands.length, true, wantsBytes(transaction)))
}

/** Whether a value a transaction's sink received is an outcome (not a bare error reply). */
export const isTransactionOutcome = (value: unknown): value is TransactionOutcome => value instanceof TransactionOutcome
