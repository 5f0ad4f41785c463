import type { Command } from "../../Command.ts"
import { invalidArgument } from "../connection/RunOnConnection.ts"
import { InvalidArgumentError } from "../errors/InvalidArgumentError.ts"
import { TransactionCommandError } from "../errors/TransactionCommandError.ts"
import { isTransaction } from "./Transaction.ts"

/**
 * Why `command` cannot be queued between MULTI and EXEC (or run in a WATCH body), or `undefined` when it can:
 *
 * - a command whose builder options or arguments cannot be sent, and the connection-state commands `Redis.call`
 *   refuses (MULTI, EXEC, WATCH, SUBSCRIBE, SELECT...: nested, they would break the transaction or the connection);
 * - another transaction (Redis has no nested transactions);
 * - a blocking call (BLPOP, XREAD BLOCK, WAIT...): inside MULTI the server runs it without blocking (BLPOP answers
 *   nil at once on an empty list), which is never what the caller meant.
 */
export const commandRefusal = (command: Command<unknown>): InvalidArgumentError | undefined => {
  if (isTransaction(command)) {
    return new InvalidArgumentError({ command: "MULTI", reason: "a transaction cannot contain another transaction: put the commands in one" })
  }
  if (command.invalid !== undefined) return invalidArgument(command, command.invalid)
  const blocking = command.spec.blockingTimeout
  if (blocking !== undefined && blocking(command.args) !== undefined) {
    return new InvalidArgumentError({
      command: command.spec.name,
      reason: "a blocking call cannot be part of a transaction: between MULTI and EXEC the server runs it without blocking; use its non-blocking form (LPOP for BLPOP, XREAD without BLOCK...)"
    })
  }
  return undefined
}

/**
 * The first command of a transaction that cannot be sent, as the transaction's error (nothing is sent then), or
 * `undefined` when every command can be queued. See {@link commandRefusal}.
 */
export const transactionRefusal = (commands: ReadonlyArray<Command<unknown>>): TransactionCommandError | undefined => {
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i]!
    const refusal = commandRefusal(command)
    if (refusal !== undefined) return new TransactionCommandError({ index: i, command: command.spec.name, executed: false, error: refusal })
  }
  return undefined
}
