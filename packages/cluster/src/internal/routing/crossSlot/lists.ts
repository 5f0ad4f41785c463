import type { RedisError } from "@effect-redis/client"
import type { RespArg, RespValue } from "@effect-redis/resp"
import { Effect } from "effect"
import {
  argText,
  arityError,
  bulk,
  certainlyNotApplied,
  type Emulation,
  type EmulationRunner,
  listOf,
  memberBytes,
  memberOf,
  parseDouble,
  run,
  runAll,
  serverError,
  SYNTAX_ERROR,
  textOf,
  WRONG_TYPE
} from "./shared.ts"

// RPOPLPUSH / LMOVE and their blocking forms across slots: check both keys' types (the server's WRONGTYPE cases),
// pop from the source, push to the destination. The element is in flight between the two commands: if the push
// certainly did not run it is put back where it came from; if its outcome is unknown nothing is resent.

type End = "LEFT" | "RIGHT"

const endOf = (arg: RespArg): End | undefined => {
  const word = argText(arg).toUpperCase()
  return word === "LEFT" || word === "RIGHT" ? word : undefined
}

/** Pushes `element` to `destination`; if that certainly failed, puts it back at `from` of `source`, then fails. */
const pushOrRestore = (
  runner: EmulationRunner,
  source: RespArg,
  destination: RespArg,
  from: End,
  to: End,
  element: RespValue
): Effect.Effect<RespValue, RedisError> => {
  const member = memberOf(element)!
  const bytes = memberBytes(member)
  return Effect.as(
    Effect.tapError(run(runner, "write", [to === "LEFT" ? "LPUSH" : "RPUSH", destination, bytes]), (error) =>
      certainlyNotApplied(error)
        ? Effect.ignore(run(runner, "write", [from === "LEFT" ? "LPUSH" : "RPUSH", source, bytes]))
        : Effect.void),
    bulk(member, runner.binary)
  )
}

/**
 * LMOVE without blocking: nil when the source is missing (or emptied meanwhile), WRONGTYPE when the source is not a
 * list or the destination exists and is not a list, else the moved element.
 */
const moveOne = (runner: EmulationRunner, source: RespArg, destination: RespArg, from: End, to: End) =>
  Effect.gen(function*() {
    const [sourceType, destinationType] = (yield* runAll(runner, "read", [["TYPE", source], ["TYPE", destination]])).map(textOf)
    if (sourceType === "none") return null
    if (sourceType !== "list" || (destinationType !== "none" && destinationType !== "list")) return yield* serverError(WRONG_TYPE)
    return yield* popThenPush(runner, source, destination, from, to, undefined)
  })

/**
 * Pops from `from` of `source` (LPOP/RPOP, or BLPOP/BRPOP with `timeout`) and pushes the element to `destination`:
 * nil when nothing was popped. Not interruptible once the element may have left the source (only a blocking pop's
 * wait can be interrupted), so an interruption never drops an element between the two commands.
 */
const popThenPush = (
  runner: EmulationRunner,
  source: RespArg,
  destination: RespArg,
  from: End,
  to: End,
  timeout: RespArg | undefined
): Effect.Effect<RespValue, RedisError> =>
  Effect.uninterruptibleMask((restore) => {
    const pop = timeout === undefined
      ? run(runner, "write", [from === "LEFT" ? "LPOP" : "RPOP", source])
      : Effect.map(restore(run(runner, "write", [from === "LEFT" ? "BLPOP" : "BRPOP", source, timeout])), (popped) =>
        popped === null ? null : listOf(popped)![1]!)
    return Effect.flatMap(pop, (element) =>
      element === null ? Effect.succeed(null) : pushOrRestore(runner, source, destination, from, to, element))
  })

/** Checks a blocking timeout (seconds) as the server does; the error message when it is refused. */
const timeoutError = (arg: RespArg): string | undefined => {
  const seconds = parseDouble(arg)
  if (seconds === undefined) return "ERR timeout is not a float or out of range"
  const ms = seconds * 1000
  if (ms > 9223372036854775807) return "ERR timeout is out of range"
  return Math.ceil(ms) < 0 ? "ERR timeout is negative" : undefined
}

/**
 * BLMOVE: as LMOVE when the source holds a list; otherwise waits with BLPOP/BRPOP on the source (the timeout as
 * given), then pushes the element to the destination. Nil on timeout.
 */
const blockingMove = (runner: EmulationRunner, source: RespArg, destination: RespArg, from: End, to: End, timeout: RespArg) =>
  Effect.gen(function*() {
    const [sourceType, destinationType] = (yield* runAll(runner, "read", [["TYPE", source], ["TYPE", destination]])).map(textOf)
    if (sourceType !== "none" && sourceType !== "list") return yield* serverError(WRONG_TYPE)
    if (sourceType === "list") {
      if (destinationType !== "none" && destinationType !== "list") return yield* serverError(WRONG_TYPE)
      const element = yield* popThenPush(runner, source, destination, from, to, undefined)
      if (element !== null) return element
    }
    return yield* popThenPush(runner, source, destination, from, to, timeout)
  })

/** LMOVE source destination LEFT|RIGHT LEFT|RIGHT. */
const lmove: Emulation = (args, runner) => {
  if (args.length !== 5) return arityError(runner.name)
  const from = endOf(args[3]!), to = endOf(args[4]!)
  return from === undefined || to === undefined ? serverError(SYNTAX_ERROR) : moveOne(runner, args[1]!, args[2]!, from, to)
}

/** RPOPLPUSH source destination: LMOVE source destination RIGHT LEFT. */
const rpoplpush: Emulation = (args, runner) =>
  args.length !== 3 ? arityError(runner.name) : moveOne(runner, args[1]!, args[2]!, "RIGHT", "LEFT")

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout. */
const blmove: Emulation = (args, runner) => {
  if (args.length !== 6) return arityError(runner.name)
  const from = endOf(args[3]!), to = endOf(args[4]!)
  if (from === undefined || to === undefined) return serverError(SYNTAX_ERROR)
  const invalid = timeoutError(args[5]!)
  return invalid !== undefined ? serverError(invalid) : blockingMove(runner, args[1]!, args[2]!, from, to, args[5]!)
}

/** BRPOPLPUSH source destination timeout: BLMOVE source destination RIGHT LEFT timeout. */
const brpoplpush: Emulation = (args, runner) => {
  if (args.length !== 4) return arityError(runner.name)
  const invalid = timeoutError(args[3]!)
  return invalid !== undefined ? serverError(invalid) : blockingMove(runner, args[1]!, args[2]!, "RIGHT", "LEFT", args[3]!)
}

/** List emulations by command name. */
export const listEmulations: Readonly<Record<string, Emulation>> = {
  LMOVE: lmove,
  RPOPLPUSH: rpoplpush,
  BLMOVE: blmove,
  BRPOPLPUSH: brpoplpush
}
