/**
 * Holds the bytes of an item that arrived split across socket reads, until enough of it is there to parse.
 *
 * @internal
 * @module
 */
import { Buffer } from "node:buffer"

/** Chunks at least this long are kept by reference; shorter ones are copied into an accumulator. */
const KEEP_BY_REFERENCE = 4096
/** Capacity of the first accumulator; small enough to come from Node's shared allocation pool. */
const FIRST_ACCUMULATOR_SIZE = 1024
/** Accumulators double in size up to this capacity. */
const LARGEST_ACCUMULATOR_SIZE = 65536

/** Holds the bytes of a UTF-8 sequence split between two pieces (at most four). */
const carry = Buffer.alloc(4)

/** UTF-8 continuation bytes are 0b10xxxxxx; every other byte starts a sequence (or is invalid on its own). */
const isContinuationByte = (byte: number): boolean => (byte & 0xc0) === 0x80

/**
 * An append-only list of byte chunks that is joined exactly once, when the item they belong to is complete.
 *
 * Why not just concatenate on every read: a 100 MiB bulk string arriving in 64 KiB reads would then be copied
 * 1600 times (quadratic). Here each byte is copied at most twice (short chunks once into an accumulator, then
 * once into the joined buffer), and large chunks are only referenced, so the work is linear in the item's size.
 * Short chunks are copied rather than referenced so that a line fed one byte at a time does not turn into a
 * million tiny buffer objects. The first chunk is always kept by reference: the common case is a short tail
 * left at the end of one socket read and completed by the next, which then costs no copy here at all.
 */
export class ChunkCollector {
  /** Chunks in arrival order, all before the accumulator's contents. */
  private readonly pieces: Array<Buffer> = []
  /** Owned buffer that short chunks are copied into; its first `accumulatorUsed` bytes are live. */
  private accumulator: Buffer | null = null
  private accumulatorUsed = 0
  private nextAccumulatorSize = FIRST_ACCUMULATOR_SIZE
  /** Total number of bytes held. */
  length = 0

  /** Appends a chunk. Large chunks are kept by reference, so they must not be mutated afterwards. */
  append(chunk: Buffer): void {
    const size = chunk.length
    if (size === 0) return
    const first = this.length === 0
    this.length += size
    if (first || size >= KEEP_BY_REFERENCE) {
      this.flushAccumulator()
      this.pieces.push(chunk)
      return
    }
    let accumulator = this.accumulator
    if (accumulator === null || accumulator.length - this.accumulatorUsed < size) {
      this.flushAccumulator()
      accumulator = this.accumulator = Buffer.allocUnsafe(Math.max(this.nextAccumulatorSize, size))
      if (this.nextAccumulatorSize < LARGEST_ACCUMULATOR_SIZE) this.nextAccumulatorSize *= 2
    }
    chunk.copy(accumulator, this.accumulatorUsed)
    this.accumulatorUsed += size
  }

  /** The last byte appended, or -1 when empty. */
  lastByte(): number {
    if (this.accumulator !== null && this.accumulatorUsed > 0) return this.accumulator[this.accumulatorUsed - 1]!
    const last = this.pieces[this.pieces.length - 1]
    return last === undefined ? -1 : last[last.length - 1]!
  }

  /**
   * Joins everything held followed by `extra` into one new buffer and empties the collector.
   *
   * @param extra bytes to place after the collected ones (the part of the latest read that completes the item)
   */
  join(extra: Buffer): Buffer {
    this.flushAccumulator()
    const pieces = this.pieces
    const joined = Buffer.allocUnsafe(this.length + extra.length)
    let position = 0
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!
      piece.copy(joined, position)
      position += piece.length
    }
    extra.copy(joined, position)
    this.clear()
    return joined
  }

  /** The byte at `index` (0 is the first byte appended); `index` must be below `length`. */
  byteAt(index: number): number {
    // No flush here: this is called while bytes still trickle in, and a flush would waste the accumulator.
    const pieces = this.pieces
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!
      if (index < piece.length) return piece[index]!
      index -= piece.length
    }
    return this.accumulator !== null && index < this.accumulatorUsed ? this.accumulator[index]! : -1
  }

  /**
   * Decodes bytes `[start, end)` of what is held as UTF-8, piece by piece, without joining them first.
   *
   * Joining would cost an allocation and a copy of the whole range; decoding each piece where it lies and
   * concatenating the strings (V8 keeps the concatenation lazy) is about twice as fast for large payloads.
   * The result is identical to decoding the joined bytes, invalid sequences included: a piece is cut only
   * before a byte that starts a sequence, or the few bytes of a sequence that a piece boundary splits are
   * carried over and decoded together.
   */
  utf8Text(start: number, end: number): string {
    this.flushAccumulator()
    const pieces = this.pieces
    let text = ""
    let carried = 0
    let pieceStart = 0
    for (let i = 0; i < pieces.length && pieceStart < end; i++) {
      const piece = pieces[i]!
      const pieceEnd = pieceStart + piece.length
      if (pieceEnd <= start) {
        pieceStart = pieceEnd
        continue
      }
      let from = Math.max(start, pieceStart) - pieceStart
      const to = Math.min(end, pieceEnd) - pieceStart
      const last = pieceEnd >= end
      if (carried > 0) {
        // Continuation bytes at the start of this piece belong to the carried sequence.
        while (from < to && carried < 4 && isContinuationByte(piece[from]!)) carry[carried++] = piece[from++]!
        if (from === to && !last) {
          pieceStart = pieceEnd
          continue
        }
        text += carry.toString("utf8", 0, carried)
        carried = 0
      }
      let cut = to
      if (!last) {
        // Keep a sequence that may continue in the next piece: from the last byte that can start one, if it
        // is among the final three (a sequence is at most four bytes long).
        for (let j = to - 1; j >= from && j >= to - 3; j--) {
          if (!isContinuationByte(piece[j]!)) {
            if (piece[j]! >= 0xc0) cut = j
            break
          }
        }
        for (let j = cut; j < to; j++) carry[carried++] = piece[j]!
      }
      if (cut > from) text += piece.toString("utf8", from, cut)
      pieceStart = pieceEnd
    }
    if (carried > 0) text += carry.toString("utf8", 0, carried)
    return text
  }

  /** Drops everything held. */
  clear(): void {
    this.pieces.length = 0
    this.accumulator = null
    this.accumulatorUsed = 0
    this.nextAccumulatorSize = FIRST_ACCUMULATOR_SIZE
    this.length = 0
  }

  private flushAccumulator(): void {
    if (this.accumulator !== null && this.accumulatorUsed > 0) {
      this.pieces.push(this.accumulator.subarray(0, this.accumulatorUsed))
    }
    this.accumulator = null
    this.accumulatorUsed = 0
  }
}
