import { DecodeError, InconsistentRepliesError, type MergeRule, type RedisError } from "@effect-redis/client"
import { Result } from "effect"

/** One node's outcome in a fan-out or one slot group's outcome in a split command. */
export interface PartReply<A> {
  /** `host:port` of the node (for a split command: the node of the slot group). */
  readonly node: string
  readonly result: Result.Result<A, RedisError>
}

/**
 * How the outcomes of several nodes become one value. Merges are plain functions over every part's `Result`, so
 * they compose: `MergeRules.sum` is `MergeRules.allSucceed` followed by addition, and so on.
 */
export type Merge<A, B = A> = (command: string, parts: ReadonlyArray<PartReply<A>>) => Result.Result<B, RedisError>

/** The first failure in part order, if any part failed. */
const firstFailure = <A>(parts: ReadonlyArray<PartReply<A>>): Result.Result<never, RedisError> | undefined => {
  for (const part of parts) if (Result.isFailure(part.result)) return Result.fail(part.result.failure)
  return undefined
}

const valuesOf = <A>(parts: ReadonlyArray<PartReply<A>>): Array<A> =>
  parts.map((part) => (part.result as Result.Success<A, RedisError>).success)

const jsonKey = (value: unknown): string =>
  JSON.stringify(value, (_, v) =>
    typeof v === "bigint" ? `${v}n` : v instanceof Map ? [...v] : v instanceof Set ? [...v] : v instanceof Uint8Array ? [...v] : v)

/** Composable merge rules (the seeds' response callbacks). */
export const MergeRules = {
  /** Every part must succeed; then `f` combines their values. */
  allSucceed: <A, B>(f: (values: ReadonlyArray<A>, command: string, nodes: ReadonlyArray<string>) => Result.Result<B, RedisError>): Merge<A, B> =>
    (command, parts) => firstFailure(parts) ?? f(valuesOf(parts), command, parts.map((part) => part.node)),

  /** Sum of integer replies (DEL, EXISTS, TOUCH, UNLINK across slots; DBSIZE, PUBSUB NUMPAT on every node). */
  sum: ((command, parts) =>
    firstFailure(parts) ?? Result.succeed(valuesOf(parts).reduce((a: number, b) => a + (b as number), 0))) as Merge<unknown, number>,

  /** The common reply when every node gives the same one; otherwise `InconsistentRepliesError` with them all. */
  allAgree: ((command, parts) => {
    const failed = firstFailure(parts)
    if (failed !== undefined) return failed
    const values = valuesOf(parts)
    const first = jsonKey(values[0])
    return values.every((value) => jsonKey(value) === first)
      ? Result.succeed(values[0])
      : Result.fail(new InconsistentRepliesError({ command, replies: parts.map((part, i) => ({ node: part.node, reply: values[i] })) }))
  }) as Merge<unknown>,

  /** True when every part replied true (or OK). */
  allTrue: ((command, parts) => firstFailure(parts) ?? Result.succeed(valuesOf(parts).every((value) => value === true || value === undefined))) as Merge<unknown, boolean>,

  /** The union of array replies, without duplicates, in first-seen order (KEYS, PUBSUB CHANNELS). */
  union: ((command, parts) => {
    const failed = firstFailure(parts)
    if (failed !== undefined) return failed
    const seen = new Set<string>()
    const out: Array<unknown> = []
    for (const value of valuesOf(parts)) {
      for (const item of value as ReadonlyArray<unknown>) {
        const key = jsonKey(item)
        if (!seen.has(key)) {
          seen.add(key)
          out.push(item)
        }
      }
    }
    return Result.succeed(out)
  }) as Merge<unknown, Array<unknown>>,

  /** Concatenation of array replies in part order. */
  concat: ((command, parts) => firstFailure(parts) ?? Result.succeed(valuesOf(parts).flatMap((value) => value as ReadonlyArray<unknown>))) as Merge<unknown, Array<unknown>>,

  /**
   * Merged mapping: records or Maps combined; numbers under the same key are added (PUBSUB NUMSUB), other values
   * are taken from the last node.
   */
  mergeMaps: ((command, parts) => {
    const failed = firstFailure(parts)
    if (failed !== undefined) return failed
    const values = valuesOf(parts)
    if (values.every((value) => value instanceof Map)) {
      const out = new Map<unknown, unknown>()
      for (const value of values as ReadonlyArray<ReadonlyMap<unknown, unknown>>) {
        for (const [k, v] of value) {
          const prev = out.get(k)
          out.set(k, typeof prev === "number" && typeof v === "number" ? prev + v : v)
        }
      }
      return Result.succeed(out)
    }
    if (values.every(Array.isArray)) {
      // Untyped RESP2 replies: flat [key, value, key, value...] arrays, merged into the same shape.
      const merged = new Map<unknown, unknown>()
      for (const value of values as ReadonlyArray<ReadonlyArray<unknown>>) {
        for (let i = 0; i + 1 < value.length; i += 2) {
          const prev = merged.get(value[i])
          merged.set(value[i], typeof prev === "number" && typeof value[i + 1] === "number" ? prev + (value[i + 1] as number) : value[i + 1])
        }
      }
      return Result.succeed([...merged].flat())
    }
    const out: Record<string, unknown> = {}
    for (const value of values as ReadonlyArray<Record<string, unknown>>) {
      for (const [k, v] of Object.entries(value)) {
        const prev = out[k]
        out[k] = typeof prev === "number" && typeof v === "number" ? prev + v : v
      }
    }
    return Result.succeed(out)
  }) as Merge<unknown>,

  /**
   * Logical AND per position of boolean arrays (SCRIPT EXISTS: a script exists only if every node has it). Untyped
   * replies carry 1/0 integers: those are combined the same way and stay 1/0.
   */
  and: ((command, parts) => {
    const failed = firstFailure(parts)
    if (failed !== undefined) return failed
    const values = valuesOf(parts) as ReadonlyArray<ReadonlyArray<boolean | number>>
    if (values.length === 0) return Result.succeed([])
    const length = values[0]!.length
    if (values.some((value) => !Array.isArray(value) || value.length !== length)) {
      return Result.fail(new DecodeError({ command, reason: "per-position AND needs arrays of the same length from every node", reply: null }))
    }
    const numeric = typeof values[0]![0] === "number"
    return Result.succeed(Array.from({ length }, (_, i) => {
      const all = values.every((value) => value[i] === true || value[i] === 1)
      return numeric ? (all ? 1 : 0) : all
    }))
  }) as Merge<unknown, Array<boolean | number>>,

  /** The first part that succeeded, in part order; the first failure when none did (SCRIPT KILL). */
  firstSuccess: ((command, parts) => {
    for (const part of parts) if (Result.isSuccess(part.result)) return part.result
    return parts[0]?.result ?? Result.fail(new DecodeError({ command, reason: "no node to send the command to", reply: null }))
  }) as Merge<unknown>
} as const

/**
 * The merge a command's `MergeRule` names. `keyOrder` is the concatenation of the parts: a split command
 * reorders it to the caller's key order itself, since only it knows which keys each part held.
 */
export const mergeOf = (rule: MergeRule): Merge<unknown> => {
  switch (rule) {
    case "sum":
      return MergeRules.sum
    case "allAgree":
      return MergeRules.allAgree
    case "allTrue":
      return MergeRules.allTrue
    case "union":
      return MergeRules.union
    case "mergeMaps":
      return MergeRules.mergeMaps
    case "and":
      return MergeRules.and
    case "firstSuccess":
      return MergeRules.firstSuccess
    case "keyOrder":
      return MergeRules.concat
  }
}
