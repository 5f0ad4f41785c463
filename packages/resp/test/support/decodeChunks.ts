/**
 * Test helper: runs a RespDecoder over bytes split at given points and records every handler call.
 */
import { Buffer } from "node:buffer"
import { type ProtocolError, RespDecoder, type RespDecoderOptions, type RespValue } from "../../src/index.ts"

/** One handler call, in order. */
export type Event =
  | { readonly _tag: "Reply"; readonly value: RespValue }
  | { readonly _tag: "Push"; readonly value: ReadonlyArray<RespValue> }
  | { readonly _tag: "Attribute"; readonly value: ReadonlyMap<RespValue, RespValue> }
  | { readonly _tag: "Error"; readonly reason: string; readonly offset: number }

export interface Recorded {
  readonly events: Array<Event>
  readonly decoder: RespDecoder
  readonly errors: Array<ProtocolError>
}

/** A decoder whose handler calls are recorded in `events`. */
export const recordingDecoder = (options?: RespDecoderOptions & { readonly bulkAsBuffer?: boolean }): Recorded => {
  const events: Array<Event> = []
  const errors: Array<ProtocolError> = []
  const decoder = new RespDecoder({
    onReply: (value) => events.push({ _tag: "Reply", value }),
    onPush: (value) => events.push({ _tag: "Push", value }),
    onAttribute: (value) => events.push({ _tag: "Attribute", value }),
    onError: (error) => {
      errors.push(error)
      events.push({ _tag: "Error", reason: error.reason, offset: error.offset })
    }
  }, options)
  decoder.bulkAsBuffer = options?.bulkAsBuffer ?? false
  return { events, decoder, errors }
}

/**
 * Feeds `bytes` cut at the given split points (sorted, duplicates and out-of-range points ignored); each chunk is
 * a fresh copy, as socket reads are.
 */
export const decodeSplit = (
  bytes: Uint8Array,
  splitPoints: ReadonlyArray<number>,
  options?: RespDecoderOptions & { readonly bulkAsBuffer?: boolean }
): Recorded => {
  const recorded = recordingDecoder(options)
  const points = [...new Set(splitPoints)].filter((p) => p > 0 && p < bytes.length).sort((a, b) => a - b)
  let from = 0
  for (const point of [...points, bytes.length]) {
    recorded.decoder.feed(Buffer.from(bytes.subarray(from, point)))
    from = point
  }
  return recorded
}

/** Feeds `bytes` in chunks of `size` bytes. */
export const decodeInChunksOf = (
  bytes: Uint8Array,
  size: number,
  options?: RespDecoderOptions & { readonly bulkAsBuffer?: boolean }
): Recorded => {
  const points: Array<number> = []
  for (let p = size; p < bytes.length; p += size) points.push(p)
  return decodeSplit(bytes, points, options)
}

/** The replies of a stream that holds only replies. */
export const replies = (events: ReadonlyArray<Event>): Array<RespValue> =>
  events.map((event) => {
    if (event._tag !== "Reply") throw new Error(`expected only replies, got ${event._tag}`)
    return event.value
  })

export const bytes = (text: string): Buffer => Buffer.from(text, "latin1")

/**
 * Decodes `input` in one piece, byte by byte, and cut once at every possible point; checks (with `expectEqual`)
 * that every way gives the same events, and returns them.
 */
export const decodeEveryWay = (
  input: Uint8Array,
  expectEqual: (actual: ReadonlyArray<Event>, expected: ReadonlyArray<Event>, how: string) => void,
  options?: RespDecoderOptions & { readonly bulkAsBuffer?: boolean }
): Array<Event> => {
  const whole = decodeSplit(input, [], options).events
  expectEqual(decodeInChunksOf(input, 1, options).events, whole, "byte by byte")
  for (let point = 1; point < input.length; point++) {
    expectEqual(decodeSplit(input, [point], options).events, whole, `cut at ${point}`)
  }
  return whole
}
