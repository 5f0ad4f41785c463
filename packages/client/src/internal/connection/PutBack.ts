import type { RespArg, RespValue } from "@effect-redis/resp"
import { Effect } from "effect"

/** Sends one command on the connection used for putting elements back; its raw reply. */
export type SendRaw = (args: ReadonlyArray<RespArg>) => Effect.Effect<RespValue, string>

/**
 * Puts back what a blocking command took for a caller that was interrupted before the reply reached it; resolves
 * with how many elements went back.
 */
export type PutBack = (send: SendRaw) => Effect.Effect<number, string>

const text = (arg: RespArg | RespValue): string =>
  typeof arg === "string" ? arg : arg instanceof Uint8Array ? new TextDecoder().decode(arg) : String(arg)

const upper = (arg: RespArg | undefined): string => (arg === undefined ? "" : text(arg).toUpperCase())

const isList = (value: RespValue): value is ReadonlyArray<RespValue> => Array.isArray(value)

/** An element or member as an argument again (bytes stay bytes). */
const asArg = (value: RespValue): RespArg | undefined =>
  typeof value === "string" || value instanceof Uint8Array || typeof value === "number" || typeof value === "bigint" ? value : undefined

/** A score as ZADD takes it: RESP3 doubles come as numbers, infinities spelled as the server spells them. */
const scoreArg = (value: RespValue): RespArg | undefined =>
  typeof value === "number" ? (value === Infinity ? "+inf" : value === -Infinity ? "-inf" : value) : asArg(value)

const push = (command: "LPUSH" | "RPUSH", key: RespArg, elements: ReadonlyArray<RespArg>): PutBack => (send) =>
  Effect.as(send([command, key, ...elements]), elements.length)

/**
 * How to undo what `args` (a blocking command) took, given its reply; `undefined` when it took nothing (a nil or
 * error reply) or cannot be undone (XREADGROUP: delivered entries stay in the consumer's pending list, see the
 * README; XREAD only reads).
 *
 * - BLPOP / BRPOP: the element goes back to the head (LPUSH) / tail (RPUSH) it came from.
 * - BLMPOP: the elements go back to the end they came from, in their original order.
 * - BZPOPMIN / BZPOPMAX / BZMPOP: the members go back with their scores, `ZADD NX` (a member added again
 *   meanwhile keeps its newer score).
 * - BLMOVE / BRPOPLPUSH: the element is taken off the destination (`LREM`, from the end it was pushed to) and, if
 *   it was still there, pushed back to the end of the source it came from. If another client already took it from
 *   the destination, it is theirs: nothing is lost.
 */
export const putBackFor = (args: ReadonlyArray<RespArg>, reply: RespValue): PutBack | undefined => {
  if (reply === null || !(isList(reply) || asArg(reply) !== undefined)) return undefined
  const name = upper(args[0])
  switch (name) {
    case "BLPOP":
    case "BRPOP": {
      if (!isList(reply) || reply.length < 2) return undefined
      const key = asArg(reply[0]!), element = asArg(reply[1]!)
      return key === undefined || element === undefined ? undefined : push(name === "BLPOP" ? "LPUSH" : "RPUSH", key, [element])
    }
    case "BLMPOP": {
      if (!isList(reply) || reply.length < 2 || !isList(reply[1]!)) return undefined
      const key = asArg(reply[0]!)
      const elements = reply[1].map(asArg).filter((e): e is RespArg => e !== undefined)
      const numkeys = Number(args[2])
      const fromLeft = upper(args[3 + numkeys]) === "LEFT"
      // Popped first = nearest the end: pushing them back last-popped first restores the order.
      return key === undefined || elements.length === 0 ? undefined : push(fromLeft ? "LPUSH" : "RPUSH", key, elements.reverse())
    }
    case "BZPOPMIN":
    case "BZPOPMAX": {
      if (!isList(reply) || reply.length < 3) return undefined
      const key = asArg(reply[0]!), member = asArg(reply[1]!), score = scoreArg(reply[2]!)
      if (key === undefined || member === undefined || score === undefined) return undefined
      return (send) => Effect.as(send(["ZADD", key, "NX", score, member]), 1)
    }
    case "BZMPOP": {
      if (!isList(reply) || reply.length < 2 || !isList(reply[1]!)) return undefined
      const key = asArg(reply[0]!)
      const pairs: Array<RespArg> = []
      for (const entry of reply[1]) {
        if (!isList(entry) || entry.length < 2) continue
        const member = asArg(entry[0]!), score = scoreArg(entry[1]!)
        if (member !== undefined && score !== undefined) pairs.push(score, member)
      }
      if (key === undefined || pairs.length === 0) return undefined
      return (send) => Effect.as(send(["ZADD", key, "NX", ...pairs]), pairs.length / 2)
    }
    case "BLMOVE":
    case "BRPOPLPUSH": {
      const element = asArg(reply)
      if (element === undefined) return undefined
      const source = args[1]!, destination = args[2]!
      const from = name === "BLMOVE" ? upper(args[3]) : "RIGHT"
      const to = name === "BLMOVE" ? upper(args[4]) : "LEFT"
      return (send) =>
        Effect.flatMap(send(["LREM", destination, to === "LEFT" ? 1 : -1, element]), (removed) =>
          removed === 1 ? push(from === "LEFT" ? "LPUSH" : "RPUSH", source, [element])(send) : Effect.succeed(0))
    }
    default:
      return undefined
  }
}
