import type { RespArg } from "@effect-redis/resp"
import { keySlot } from "../../../KeySlot.ts"
import { argText } from "./shared.ts"

// SORT / SORT_RO BY and GET patterns name other keys (`weight_*`, `object_*->field`), which a cluster node can only
// read on its own slot. Redis 7.4+ and Valkey 8.0+ accept a pattern only when every key it can form hashes to the
// sorted key's slot; older servers refuse every BY pattern with a `*` and every GET in cluster mode. This check
// refuses, whatever the server, the patterns that could reach another slot, before sending, with a reason that says
// how to fix them; the others are sent, and the server decides.

/**
 * The slot every key formed from `pattern` hashes to, or -1 when they may differ: the slot of its `{hash tag}` when
 * the tag closes before any wildcard (`*`, `?`, `[`) or escape, else -1 when one occurs, else the slot of the whole
 * pattern (a constant key). The same rule as the server's `patternHashSlot`.
 */
export const patternHashSlot = (pattern: Uint8Array): number => {
  const bytes = Buffer.from(pattern.buffer, pattern.byteOffset, pattern.byteLength)
  let open = -1
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]
    if (c === 0x2a || c === 0x3f || c === 0x5b || c === 0x5c) return -1
    if (open === -1 && c === 0x7b) open = i
    else if (open >= 0 && c === 0x7d && i === open + 1) open = -2
    else if (open >= 0 && c === 0x7d) return keySlot(bytes.subarray(open + 1, i))
  }
  return keySlot(bytes)
}

const bytesOf = (arg: RespArg): Uint8Array => (arg instanceof Uint8Array ? arg : Buffer.from(String(arg), "utf8"))

/** A pattern of SORT that reaches other slots: what to say, and the slots involved. */
export interface SortPatternProblem {
  readonly reason: string
  readonly slots: ReadonlyArray<number>
}

/**
 * Checks the BY and GET patterns of `SORT key ...` / `SORT_RO key ...`: a BY pattern with `*` (one without only
 * disables sorting) and every GET pattern but `#` (the element itself) must form keys in the sorted key's slot,
 * i.e. carry that key's hash tag before any wildcard: `SORT {user:1}:ids BY {user:1}:weight_* GET {user:1}:name_*`.
 * Returns the first offending pattern, or undefined.
 */
export const sortPatternProblem = (args: ReadonlyArray<RespArg>): SortPatternProblem | undefined => {
  const key = args[1]
  if (key === undefined) return undefined
  const slot = keySlot(key)
  for (let j = 2; j < args.length; j++) {
    const word = argText(args[j]!).toUpperCase()
    if (word === "LIMIT") {
      j += 2
    } else if (word === "STORE") {
      j += 1
    } else if ((word === "BY" || word === "GET") && j + 1 < args.length) {
      const pattern = bytesOf(args[++j]!)
      if (word === "BY" && !pattern.includes(0x2a)) continue
      if (word === "GET" && pattern.length === 1 && pattern[0] === 0x23) continue
      const patternSlot = patternHashSlot(pattern)
      if (patternSlot !== slot) {
        const text = argText(args[j]!)
        return {
          slots: patternSlot === -1 ? [slot] : [slot, patternSlot],
          reason: `the ${word} pattern "${text}" forms keys outside the sorted key's slot ${slot}` +
            (patternSlot === -1 ? " (a wildcard comes before any hash tag)" : ` (it hashes to slot ${patternSlot})`) +
            `; a cluster node can only read its own slots: put the sorted key's hash tag in the pattern before the *, ` +
            `e.g. SORT {user:1}:ids BY {user:1}:weight_* GET {user:1}:name_*`
        }
      }
    }
  }
  return undefined
}
