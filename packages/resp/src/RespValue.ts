/**
 * The values a Redis server sends back, as the decoder produces them, and the values commands are built from.
 *
 * @module
 */

/**
 * An error reply from the server: a RESP simple error (`-ERR ...`) or a RESP3 bulk error (`!21\r\n...`).
 *
 * It is a plain class and deliberately not an `Error` subclass: error replies are ordinary, frequent data
 * (MOVED, ASK, TRYAGAIN during resharding, WRONGTYPE, errors inside EXEC replies), and capturing a stack trace
 * for each would cost microseconds on the hot path. Turn it into a typed error only where a caller must see one.
 */
export class RespErrorReply {
  /** The full error text as sent by the server, e.g. `"WRONGTYPE Operation against a key holding the wrong kind of value"`. */
  readonly message: string

  /** @param message the full error text, without the leading `-` and the trailing CRLF */
  constructor(message: string) {
    this.message = message
  }

  /**
   * The error code: the first word of the message (`"WRONGTYPE"`, `"MOVED"`, `"ERR"`). By convention Redis
   * starts every error with an upper-case code; when the message has no space the whole message is the code.
   */
  get code(): string {
    const space = this.message.indexOf(" ")
    return space === -1 ? this.message : this.message.slice(0, space)
  }

  /** Renders like an error so that logs and test failures stay readable. */
  toString(): string {
    return `RespErrorReply: ${this.message}`
  }
}

/**
 * Tells whether a value is an error reply.
 *
 * @param u any value, typically an element of a decoded reply
 */
export const isRespErrorReply = (u: unknown): u is RespErrorReply => u instanceof RespErrorReply

/**
 * A decoded reply value.
 *
 * - `string`: simple string, bulk string, or verbatim string (the 3-character format and its `:` are stripped).
 * - `Uint8Array`: bulk or verbatim string when the decoder's `bulkAsBuffer` flag was on for the reply.
 * - `number`: an integer within `Number.MIN_SAFE_INTEGER..Number.MAX_SAFE_INTEGER`, or a RESP3 double
 *   (`inf` is `Infinity`, `-inf` is `-Infinity`, `nan` is `NaN`).
 * - `bigint`: an integer outside the safe range (parsed without precision loss), or a RESP3 big number.
 * - `boolean`: a RESP3 boolean.
 * - `null`: a RESP2 null bulk string or null array, or the RESP3 null.
 * - {@link RespErrorReply}: a simple error or RESP3 bulk error, also when nested inside an array (EXEC replies).
 * - `ReadonlyArray`: an array (also what a RESP3 push frame's payload is).
 * - `ReadonlyMap`: a RESP3 map, in the order the server sent the pairs.
 * - `ReadonlySet`: a RESP3 set.
 */
export type RespValue =
  | string
  | Uint8Array
  | number
  | bigint
  | boolean
  | null
  | RespErrorReply
  | ReadonlyArray<RespValue>
  | ReadonlyMap<RespValue, RespValue>
  | ReadonlySet<RespValue>

/**
 * One argument of a command, as the command encoder accepts it: strings are sent as UTF-8, numbers and bigints
 * as their decimal text, `Uint8Array`s as raw bytes.
 */
export type RespArg = string | number | bigint | Uint8Array
