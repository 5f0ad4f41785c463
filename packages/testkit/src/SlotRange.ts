/**
 * Hash-slot ranges: how the test kit writes slot ownership.
 *
 * @since 0.1.0
 */

/**
 * Number of hash slots in Redis Cluster.
 *
 * @since 0.1.0
 */
export const slotCount = 16384

/**
 * Slots `start..end`, both inclusive (as CLUSTER SLOTS and CLUSTER ADDSLOTSRANGE write them).
 *
 * @since 0.1.0
 */
export interface SlotRange {
  readonly start: number
  readonly end: number
}

/**
 * All 16384 slots split into `parts` contiguous ranges of near-equal size, as `redis-cli --cluster create`
 * splits them (3 parts: 0-5460, 5461-10922, 10923-16383).
 *
 * @since 0.1.0
 */
export const evenSlotRanges = (parts: number): ReadonlyArray<SlotRange> => {
  // redis-cli's arithmetic: a fractional share per part, rounded at each boundary, the last part to the end.
  const share = slotCount / parts
  const ranges: Array<SlotRange> = []
  let start = 0
  for (let i = 0; i < parts; i++) {
    const end = i === parts - 1 ? slotCount - 1 : Math.round(i * share + share - 1)
    ranges.push({ start, end })
    start = end + 1
  }
  return ranges
}

/**
 * Whether `slot` is in one of `ranges`.
 *
 * @since 0.1.0
 */
export const rangesContain = (ranges: ReadonlyArray<SlotRange>, slot: number): boolean =>
  ranges.some((range) => range.start <= slot && slot <= range.end)

/**
 * Single slots and ranges merged into sorted, non-overlapping ranges.
 *
 * @since 0.1.0
 */
export const toSlotRanges = (slots: ReadonlyArray<number | SlotRange>): ReadonlyArray<SlotRange> => {
  const sorted = slots
    .map((slot) => (typeof slot === "number" ? { start: slot, end: slot } : slot))
    .slice()
    .sort((a, b) => a.start - b.start)
  const merged: Array<SlotRange> = []
  for (const range of sorted) {
    const last = merged[merged.length - 1]
    if (last !== undefined && range.start <= last.end + 1) {
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, range.end) }
    } else {
      merged.push(range)
    }
  }
  return merged
}

/**
 * Every slot of `ranges`, one by one.
 *
 * @since 0.1.0
 */
export const slotsOf = (ranges: ReadonlyArray<SlotRange>): ReadonlyArray<number> =>
  ranges.flatMap((range) => Array.from({ length: range.end - range.start + 1 }, (_, i) => range.start + i))

/**
 * `0-5460,5461` style text, for messages.
 *
 * @since 0.1.0
 */
export const formatSlotRanges = (ranges: ReadonlyArray<SlotRange>): string =>
  ranges.map((range) => (range.start === range.end ? `${range.start}` : `${range.start}-${range.end}`)).join(",") ||
  "none"
