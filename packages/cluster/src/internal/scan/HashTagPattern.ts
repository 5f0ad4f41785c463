import { keySlot } from "../../KeySlot.ts"

/**
 * The one slot every key matching a SCAN `MATCH` pattern hashes to, when the pattern fixes it; otherwise undefined.
 *
 * A key's slot is decided by its first `{` and the first `}` after it. When the pattern is literal up to and
 * including its first `}` after a `{` (no `*`, `?`, `[` or `\` in that prefix) and the braces enclose something,
 * every matching key starts with that exact prefix, so every one has that hash tag: `{user:1}:*` fixes the slot of
 * `user:1`, while `*{user:1}`, `{user:*}:x` and `{}x*` do not.
 */
export const patternSlot = (pattern: string): number | undefined => {
  const open = pattern.indexOf("{")
  if (open < 0) return undefined
  const close = pattern.indexOf("}", open + 1)
  if (close < 0 || close === open + 1) return undefined
  const prefix = pattern.slice(0, close + 1)
  if (/[*?[\\]/.test(prefix)) return undefined
  return keySlot(prefix)
}
