/**
 * Redis's glob matching (`stringmatchlen`, what SCAN's MATCH and KEYS use), byte for byte, for keys the client reads
 * without SCAN (`CLUSTER GETKEYSINSLOT` has no MATCH): `*`, `?`, `[abc]`, `[^abc]`, `[a-z]` (bounds in either
 * order), `\` escapes, an unterminated `[` ending the class. Bytes compare as the server's signed `char`s do, which
 * only matters for ranges with bytes above 0x7f.
 */

const STAR = 0x2a // *
const QUESTION = 0x3f // ?
const OPEN = 0x5b // [
const CLOSE = 0x5d // ]
const CARET = 0x5e // ^
const DASH = 0x2d // -
const BACKSLASH = 0x5c // \

const signed = (byte: number): number => (byte << 24) >> 24

/** Compiles `pattern` once; the result tells whether a key (text as UTF-8, or bytes) matches it. */
export const globMatcher = (pattern: string | Uint8Array): (key: string | Uint8Array) => boolean => {
  const p = typeof pattern === "string" ? Buffer.from(pattern, "utf8") : pattern
  if (p.length === 1 && p[0] === STAR) return () => true
  return (key) => {
    const s = typeof key === "string" ? Buffer.from(key, "utf8") : key
    return matchFrom(p, 0, s, 0, { skipLonger: false }, 0)
  }
}

const matchFrom = (p: Uint8Array, pi: number, s: Uint8Array, si: number, state: { skipLonger: boolean }, nesting: number): boolean => {
  // The server gives up on patterns nested this deep (abusive patterns); so does this.
  if (nesting > 1000) return false
  while (pi < p.length && si < s.length) {
    switch (p[pi]) {
      case STAR: {
        while (pi + 1 < p.length && p[pi + 1] === STAR) pi++
        if (pi + 1 === p.length) return true
        for (; si < s.length; si++) {
          if (matchFrom(p, pi + 1, s, si, state, nesting + 1)) return true
          if (state.skipLonger) return false
        }
        // The rest of the pattern matches nowhere in the rest of the key: earlier stars cannot help either.
        state.skipLonger = true
        return false
      }
      case QUESTION:
        si++
        break
      case OPEN: {
        pi++
        const not = p[pi] === CARET
        if (not) pi++
        let matched = false
        const c = s[si]!
        while (true) {
          if (p[pi] === BACKSLASH && p.length - pi >= 2) {
            pi++
            if (p[pi] === c) matched = true
          } else if (p[pi] === CLOSE) {
            break
          } else if (pi >= p.length) {
            pi--
            break
          } else if (p.length - pi >= 3 && p[pi + 1] === DASH) {
            let start = signed(p[pi]!), end = signed(p[pi + 2]!)
            if (start > end) [start, end] = [end, start]
            const sc = signed(c)
            pi += 2
            if (sc >= start && sc <= end) matched = true
          } else if (p[pi] === c) {
            matched = true
          }
          pi++
        }
        if (not) matched = !matched
        if (!matched) return false
        si++
        break
      }
      case BACKSLASH:
        if (p.length - pi >= 2) pi++
        if (p[pi] !== s[si]) return false
        si++
        break
      default:
        if (p[pi] !== s[si]) return false
        si++
    }
    pi++
    if (si === s.length) {
      while (p[pi] === STAR) pi++
      break
    }
  }
  return pi >= p.length && si === s.length
}
