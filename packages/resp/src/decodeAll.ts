/**
 * Decoding a complete byte sequence in one call, for tests and tools.
 *
 * @module
 */
import { Result } from "effect"
import { ProtocolError } from "./ProtocolError.ts"
import { RespDecoder, type RespDecoderOptions } from "./RespDecoder.ts"
import type { RespValue } from "./RespValue.ts"

/** One thing decoded from a stream, tagged by the handler the streaming decoder would have called. */
export type DecodedFrame =
  | { readonly _tag: "Reply"; readonly value: RespValue }
  | { readonly _tag: "Push"; readonly value: ReadonlyArray<RespValue> }
  | { readonly _tag: "Attribute"; readonly value: ReadonlyMap<RespValue, RespValue> }

/** Options of {@link decodeAll}: the decoder's limits plus the `bulkAsBuffer` flag, applied to every reply. */
export interface DecodeAllOptions extends RespDecoderOptions {
  /** Decode bulk and verbatim strings to `Uint8Array` instead of UTF-8 strings. Default false. */
  readonly bulkAsBuffer?: boolean
}

/**
 * Decodes `bytes`, which must hold whole replies only, into the replies, pushes and attributes it contains, in
 * order.
 *
 * @returns the frames, or the {@link ProtocolError} for invalid input; input that ends inside a reply is an error
 *   too (reason `"input ended inside a reply"`, offset = `bytes.length`)
 */
export const decodeAll = (
  bytes: Uint8Array,
  options?: DecodeAllOptions
): Result.Result<ReadonlyArray<DecodedFrame>, ProtocolError> => {
  const frames: Array<DecodedFrame> = []
  let failure: ProtocolError | undefined
  const decoder = new RespDecoder({
    onReply: (value) => frames.push({ _tag: "Reply", value }),
    onPush: (value) => frames.push({ _tag: "Push", value }),
    onAttribute: (value) => frames.push({ _tag: "Attribute", value }),
    onError: (error) => {
      failure = error
    }
  }, options)
  decoder.bulkAsBuffer = options?.bulkAsBuffer ?? false
  decoder.feed(bytes)
  if (failure !== undefined) return Result.fail(failure)
  if (decoder.hasPartialReply) {
    return Result.fail(new ProtocolError({ reason: "input ended inside a reply", offset: bytes.length }))
  }
  return Result.succeed(frames)
}
