import type { RespArg } from "@effect-redis/resp"

/**
 * Where a command's keys sit among its arguments (index 0 is the command name). The range form is the one
 * `COMMAND INFO` reports: keys from `first` to `last` (negative counts from the end, -1 is the last argument)
 * every `step` arguments. Commands whose keys depend on other arguments (EVAL's numkeys, ZUNIONSTORE...) use a
 * function.
 */
export type KeyPositions =
  | { readonly first: number; readonly last: number; readonly step: number }
  | ((args: ReadonlyArray<RespArg>) => ReadonlyArray<number>)

/** No keys (server commands, PING...). */
export const noKeys: KeyPositions = { first: 0, last: -1 - Number.MAX_SAFE_INTEGER, step: 1 }

/** One key, right after the command name (GET, SET, HSET...). */
export const firstKey: KeyPositions = { first: 1, last: 1, step: 1 }

/** Every argument after the name is a key (DEL, EXISTS, MGET...). */
export const allKeys: KeyPositions = { first: 1, last: -1, step: 1 }

/** Key-value pairs after the name (MSET, MSETNX). */
export const keyValuePairs: KeyPositions = { first: 1, last: -1, step: 2 }

/** Two keys right after the name (RENAME, COPY, SMOVE...). */
export const twoKeys: KeyPositions = { first: 1, last: 2, step: 1 }

/** Indices of the key arguments in `args` according to `positions`. */
export const keyIndexes = (positions: KeyPositions, args: ReadonlyArray<RespArg>): ReadonlyArray<number> => {
  if (typeof positions === "function") return positions(args)
  const last = positions.last < 0 ? args.length + positions.last : positions.last
  const out: Array<number> = []
  for (let i = positions.first; i <= last && i < args.length; i += positions.step) {
    if (i >= 1) out.push(i)
  }
  return out
}

/** Index of the first key argument, or -1 when the command has none. The hot path for routing. */
export const firstKeyIndex = (positions: KeyPositions, args: ReadonlyArray<RespArg>): number => {
  if (typeof positions === "function") return positions(args)[0] ?? -1
  const last = positions.last < 0 ? args.length + positions.last : positions.last
  return positions.first >= 1 && positions.first <= last && positions.first < args.length ? positions.first : -1
}

/**
 * Keys of numkeys-style commands (ZUNION, LMPOP, EVAL, SINTERCARD...): the count at `index`, the keys right
 * after it. A missing or invalid count gives no keys (the server rejects the command anyway).
 */
export const keysAfterCount = (index: number) => (args: ReadonlyArray<RespArg>): ReadonlyArray<number> => {
  const count = Number(args[index])
  if (!Number.isInteger(count) || count <= 0) return []
  const out = new Array<number>(Math.max(0, Math.min(count, args.length - index - 1)))
  for (let i = 0; i < out.length; i++) out[i] = index + 1 + i
  return out
}

/** Keys from the first argument to the one before the last (BLPOP, BRPOP, BZPOPMIN: the timeout is last). */
export const keysBeforeLast: KeyPositions = { first: 1, last: -2, step: 1 }
