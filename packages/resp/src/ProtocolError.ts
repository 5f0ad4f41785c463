/**
 * The error raised when the byte stream from a server is not valid RESP.
 *
 * @module
 */
import { Schema } from "effect"

/**
 * The bytes received from the server are not valid RESP2/RESP3, or they exceed a configured safety limit.
 *
 * A connection that produced one cannot be trusted any more (the decoder does not know where the next reply
 * starts), so the decoder stops and the connection should be closed. Built at most once per connection, so the
 * cost of an `Error` is irrelevant here.
 */
export class ProtocolError extends Schema.TaggedError<ProtocolError>()("ProtocolError", {
  /** What was wrong, e.g. `"unknown type byte 0x41 'A'"`, `"nesting deeper than 128"`. */
  reason: Schema.String,
  /** Byte offset in the stream (counted from the decoder's creation or last reset) where the problem was found. */
  offset: Schema.Number
}) {
  /** A readable sentence combining the reason and the offset. */
  override get message(): string {
    return `Invalid RESP data at byte ${this.offset}: ${this.reason}`
  }
}
