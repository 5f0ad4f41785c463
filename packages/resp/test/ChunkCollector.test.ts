import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { Buffer } from "node:buffer"
import { ChunkCollector } from "../src/internal/ChunkCollector.ts"

/** Bytes rich in UTF-8 structure: ASCII, lead bytes of every length, continuation bytes, invalid bytes. */
const utf8ish = fc.array(
  fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0x80, max: 0xbf }),
    fc.integer({ min: 0xc2, max: 0xf4 }),
    fc.constantFrom(0xc0, 0xc1, 0xf5, 0xff, 0xe0, 0xed, 0xf0)
  ),
  { maxLength: 300 }
).map((bytes) => Buffer.from(bytes))

const collect = (bytes: Buffer, cuts: ReadonlyArray<number>): ChunkCollector => {
  const collector = new ChunkCollector()
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  let from = 0
  for (const point of [...points, bytes.length]) {
    collector.append(Buffer.from(bytes.subarray(from, point)))
    from = point
  }
  return collector
}

describe("ChunkCollector", () => {
  it("utf8Text across pieces equals decoding the joined bytes, invalid sequences included", () => {
    fc.assert(
      fc.property(utf8ish, fc.array(fc.nat(), { maxLength: 40 }), fc.nat(), fc.nat(), (bytes, cuts, a, b) => {
        const start = Math.min(a, b) % (bytes.length + 1)
        const end = start + (Math.max(a, b) % (bytes.length - start + 1))
        expect(collect(bytes, cuts).utf8Text(start, end)).toBe(bytes.toString("utf8", start, end))
      }),
      { numRuns: 3000 }
    )
  })

  it("utf8Text with one-byte pieces", () => {
    fc.assert(
      fc.property(utf8ish, (bytes) => {
        const cuts = Array.from({ length: bytes.length }, (_, i) => i)
        expect(collect(bytes, cuts).utf8Text(0, bytes.length)).toBe(bytes.toString("utf8"))
      }),
      { numRuns: 500 }
    )
  })

  it("join, byteAt, lastByte and length agree with the bytes appended, small and large pieces alike", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 50 }), fc.uint8Array({ minLength: 4096, maxLength: 5000 })), { maxLength: 12 }), fc.uint8Array({ maxLength: 20 }), (pieces, extra) => {
        const collector = new ChunkCollector()
        for (const piece of pieces) collector.append(Buffer.from(piece))
        const all = Buffer.concat(pieces.map((p) => Buffer.from(p)))
        expect(collector.length).toBe(all.length)
        expect(collector.lastByte()).toBe(all.length === 0 ? -1 : all[all.length - 1])
        for (const index of [0, all.length >> 1, all.length - 1]) if (index >= 0 && index < all.length) expect(collector.byteAt(index)).toBe(all[index])
        expect(collector.join(Buffer.from(extra)).equals(Buffer.concat([all, Buffer.from(extra)]))).toBe(true)
        expect(collector.length).toBe(0)
      }),
      { numRuns: 300 }
    )
  })

  it("keeps large pieces by reference and copies small ones", () => {
    const collector = new ChunkCollector()
    const first = Buffer.from("tail")
    const small = Buffer.from("x")
    collector.append(first)
    collector.append(small)
    small[0] = 0x79 // the copy is not affected
    expect(collector.join(Buffer.alloc(0)).toString()).toBe("tailx")
  })
})
