import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { Buffer } from "node:buffer"
import { decodeAll, encodeAttribute, encodePush, encodeReply, type RespProtocol, RespDecoder, type RespValue } from "../src/index.ts"
import { decodedModel, respValue, splitPoints, type StreamFrame, streamFrame } from "./support/arbitraries.ts"
import { decodeSplit, type Event } from "./support/decodeChunks.ts"

const encodeFrame = (frame: StreamFrame): Uint8Array =>
  frame._tag === "Reply" ? encodeReply(frame.value, 3) : frame._tag === "Push" ? encodePush(frame.value, 3) : encodeAttribute(frame.value)

const modelFrame = (frame: StreamFrame, asBuffer: boolean): Event =>
  frame._tag === "Reply"
    ? { _tag: "Reply", value: decodedModel(frame.value, 3, asBuffer) }
    : frame._tag === "Push"
    ? { _tag: "Push", value: frame.value.map((v) => decodedModel(v, 3, asBuffer)) }
    : { _tag: "Attribute", value: decodedModel(frame.value, 3, asBuffer) as ReadonlyMap<RespValue, RespValue> }

describe("RespDecoder properties", () => {
  it("encodeReply then decode gives the value back (RESP3 natively, RESP2 through its type mapping)", () => {
    fc.assert(
      fc.property(respValue, fc.constantFrom<RespProtocol>(2, 3), fc.boolean(), (value, protocol, asBuffer) => {
        const decoded = decodeAll(encodeReply(value, protocol), { bulkAsBuffer: asBuffer })
        expect(decoded._tag).toBe("Success")
        if (decoded._tag === "Success") {
          expect(decoded.success).toEqual([{ _tag: "Reply", value: decodedModel(value, protocol, asBuffer) }])
        }
      }),
      { numRuns: 1000 }
    )
  })

  it("a stream decodes the same whatever the chunking, and as the model says", () => {
    fc.assert(
      fc.property(
        fc.array(streamFrame, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.infiniteStream(fc.nat()),
        (frames, asBuffer, randomness) => {
          const input = Buffer.concat(frames.map(encodeFrame))
          const expected = frames.map((frame) => modelFrame(frame, asBuffer))
          expect(decodeSplit(input, [], { bulkAsBuffer: asBuffer }).events).toEqual(expected)
          // Random cut points drawn from the stream of naturals, plus byte-by-byte.
          const cuts = [...randomness.take(1 + (input.length % 20))].map((n) => 1 + (n % Math.max(1, input.length - 1)))
          expect(decodeSplit(input, cuts, { bulkAsBuffer: asBuffer }).events).toEqual(expected)
          expect(decodeSplit(input, Array.from({ length: input.length }, (_, i) => i), { bulkAsBuffer: asBuffer }).events)
            .toEqual(expected)
        }
      ),
      { numRuns: 200 }
    )
  })

  it("random garbage never throws, reports at most one error and nothing after it", () => {
    const interesting = fc.constantFrom(...Buffer.from("+-:$*_#,(!=%~|>0123456789\r\n-?tfinax"))
    const garbage = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.array(interesting, { maxLength: 200 }).map((bytes) => Uint8Array.from(bytes))
    )
    fc.assert(
      fc.property(garbage, fc.array(fc.nat({ max: 200 }), { maxLength: 10 }), (input, cuts) => {
        const { events } = decodeSplit(input, cuts)
        const errorAt = events.findIndex((event) => event._tag === "Error")
        expect(events.filter((event) => event._tag === "Error").length).toBeLessThanOrEqual(1)
        if (errorAt !== -1) expect(errorAt).toBe(events.length - 1)
      }),
      { numRuns: 3000 }
    )
  })

  it("corrupted valid streams fail the same way whatever the chunking", () => {
    const mutation = fc.tuple(fc.nat(), fc.constantFrom(...Buffer.from("+-:$*_#,(!=%~|>019\r\n?x\x00\xff")))
    fc.assert(
      fc.property(
        fc.array(streamFrame, { minLength: 1, maxLength: 4 }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (frames, mutations, cuts) => {
          const input = Buffer.concat(frames.map(encodeFrame))
          for (const [position, byte] of mutations) input[position % input.length] = byte
          const whole = decodeSplit(input, []).events
          expect(whole.filter((event) => event._tag === "Error").length).toBeLessThanOrEqual(1)
          expect(decodeSplit(input, cuts.map((c) => c % input.length)).events).toEqual(whole)
          expect(decodeSplit(input, Array.from({ length: input.length }, (_, i) => i)).events).toEqual(whole)
        }
      ),
      { numRuns: 300 }
    )
  })

  it("huge declared lengths allocate nothing up front", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("*", "%", "~", ">", "|", "$", "=", "!"), fc.integer({ min: 0, max: 2 ** 31 - 1 })), {
          minLength: 1,
          maxLength: 200
        }),
        (headers) => {
          const before = process.memoryUsage().heapUsed
          const { decoder, events } = decodeSplit(Buffer.from(headers.map(([type, length]) => `${type}${length}\r\n`).join("")), [])
          expect(events.filter((event) => event._tag === "Error").length).toBeLessThanOrEqual(1)
          decoder.reset()
          // 200 headers each declaring up to 2^31 elements: preallocating would take gigabytes.
          expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024)
        }
      ),
      { numRuns: 200 }
    )
  })

  it("a bulk string declaring 512 MiB holds only the bytes that arrived", () => {
    const { decoder, events } = decodeSplit(Buffer.from(`$${512 * 1024 * 1024}\r\n`), [])
    const megabyte = Buffer.alloc(1024 * 1024, 0x61)
    for (let i = 0; i < 4; i++) decoder.feed(megabyte)
    expect(events).toEqual([])
    expect(decoder.hasPartialReply).toBe(true)
    decoder.reset()
  })
})

describe("RespDecoder chunk-size sweep", () => {
  it("every chunk size from 1 to 64 gives the same events for a mixed stream", () => {
    const frames = fc.sample(fc.array(streamFrame, { minLength: 20, maxLength: 20 }), { numRuns: 1, seed: 42 })[0]!
    const input = Buffer.concat(frames.map(encodeFrame))
    const expected = frames.map((frame) => modelFrame(frame, false))
    for (let size = 1; size <= 64; size++) {
      const points: Array<number> = []
      for (let p = size; p < input.length; p += size) points.push(p)
      expect(decodeSplit(input, points).events, `chunks of ${size}`).toEqual(expected)
    }
  })

  it("never calls a handler synchronously after a failure, even with more input queued", () => {
    let calls = 0
    let errors = 0
    const decoder: RespDecoder = new RespDecoder({
      onReply: () => {
        calls++
        decoder.feed(Buffer.from("+more\r\n"))
      },
      onPush: () => calls++,
      onError: () => errors++
    })
    decoder.feed(Buffer.from("+a\r\n?+b\r\n"))
    decoder.feed(Buffer.from("+c\r\n"))
    expect([calls, errors]).toEqual([1, 1])
  })
})
