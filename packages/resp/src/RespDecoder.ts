/**
 * The incremental RESP2/RESP3 decoder: socket reads in, replies out.
 *
 * @module
 */
import { Buffer } from "node:buffer"
import { AggregateFrame, ARRAY, ATTRIBUTE, MAP, PUSH, SET } from "./internal/AggregateFrame.ts"
import { describeByte, latin1Text, ownedBytes, quoteForMessage, utf8Text } from "./internal/byteText.ts"
import { ChunkCollector } from "./internal/ChunkCollector.ts"
import { ProtocolError } from "./ProtocolError.ts"
import { RespErrorReply, type RespValue } from "./RespValue.ts"

/** Where the decoder delivers what it decodes. */
export interface RespDecoderHandlers {
  /** Called with every top-level reply that is not a push, in arrival order (error replies included). */
  readonly onReply: (value: RespValue) => void
  /** Called with every RESP3 push frame (`>`); element 0 is its kind, e.g. `"message"` or `"invalidate"`. */
  readonly onPush: (value: ReadonlyArray<RespValue>) => void
  /**
   * Called at most once, when the stream is not valid RESP or a limit is exceeded. The decoder is dead afterwards:
   * later `feed` calls do nothing until `reset`.
   */
  readonly onError: (error: ProtocolError) => void
  /**
   * Called with every RESP3 attribute (`|`), top-level or nested. The reply the attribute annotates is still
   * delivered on its own (via `onReply`, or as an element of its aggregate). Attributes are dropped when absent.
   */
  readonly onAttribute?: (value: ReadonlyMap<RespValue, RespValue>) => void
}

/** Safety limits. Exceeding one is a {@link ProtocolError}; none of them is reached by a well-behaved server. */
export interface RespDecoderOptions {
  /** Largest bulk, verbatim or bulk-error length accepted, checked before any payload is read. Default 512 MiB (Redis' proto-max-bulk-len). */
  readonly maxBulkLength?: number
  /** Largest element count one array, map, set, push or attribute may declare. Default 2^31-1. */
  readonly maxAggregateLength?: number
  /** Deepest nesting of aggregates accepted. Default 128. */
  readonly maxDepth?: number
  /** Longest line (simple string, error, number, length header...) accepted, CRLF excluded. Default 1 MiB. */
  readonly maxLineLength?: number
}

const DEFAULT_MAX_BULK_LENGTH = 512 * 1024 * 1024
const DEFAULT_MAX_AGGREGATE_LENGTH = 2 ** 31 - 1
const DEFAULT_MAX_DEPTH = 128
const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024

// Type bytes (aggregate ones are in AggregateFrame).
const SIMPLE_STRING = 43 // '+'
const SIMPLE_ERROR = 45 // '-'
const INTEGER = 58 // ':'
const BULK_STRING = 36 // '$'
const NULL = 95 // '_'
const BOOLEAN = 35 // '#'
const DOUBLE = 44 // ','
const BIG_NUMBER = 40 // '('
const BULK_ERROR = 33 // '!'
const VERBATIM_STRING = 61 // '='
const CR = 13
const LF = 10
const MINUS = 45
const PLUS = 43
const COLON = 58

// What a reader returns when it produced no value. Symbols, so a single `typeof` separates them from values.
/** The item is not complete in the buffer; `waitLength` says what is missing. */
const INCOMPLETE: unique symbol = Symbol("INCOMPLETE")
/** The decoder failed (onError has been called). */
const FAILED: unique symbol = Symbol("FAILED")
/** An aggregate header was read and pushed on the stack, or an empty aggregate was delivered directly. */
const CONSUMED: unique symbol = Symbol("CONSUMED")
type NoValue = typeof INCOMPLETE | typeof FAILED | typeof CONSUMED

// Results of readLength below zero.
const NULL_LENGTH = -1
const LENGTH_INCOMPLETE = -2
const LENGTH_FAILED = -3

/**
 * Text payloads at least this long that arrive split are decoded piece by piece (see ChunkCollector.utf8Text);
 * shorter ones are joined and re-parsed, which is as cheap for them and keeps their strings flat.
 */
const PIECEWISE_TEXT_LENGTH = 1024

/** `waitLength` value meaning: the pending item needs the CRLF that ends its first line. */
const WAIT_FOR_LINE = -1

const DOUBLE_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const BIG_NUMBER_PATTERN = /^[+-]?\d+$/
const MIN_SAFE_BIGINT = BigInt(Number.MIN_SAFE_INTEGER)
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER)
/** Integers with at most this many digits are exact as a JavaScript number, whatever the digits. */
const EXACT_DIGITS = 15

const EMPTY = Buffer.alloc(0)

/** Whether items of this type start with a line of digits (a length, or an integer). */
const hasNumericLine = (type: number): boolean =>
  type === BULK_STRING || type === ARRAY || type === MAP || type === SET || type === PUSH || type === ATTRIBUTE ||
  type === VERBATIM_STRING || type === BULK_ERROR || type === INTEGER

const toBuffer = (chunk: Uint8Array): Buffer =>
  Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)

const validLimit = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  if (!(value >= 1) || !Number.isInteger(value)) throw new RangeError(`RespDecoder: ${name} must be a positive integer, got ${value}`)
  return value
}

/**
 * An incremental decoder for one connection's byte stream, RESP2 and RESP3 alike.
 *
 * Feed it socket reads as they come; it calls the handlers with each complete reply, push or attribute. A reply
 * may be split at any byte: the result is the same as if it had arrived in one piece.
 *
 * How it stays fast: replies are parsed straight out of the chunk with indices; strings are decoded from byte
 * ranges without intermediate copies; there is no per-reply allocation beyond the value itself. Partial state
 * is kept off that path: when a chunk ends inside a reply, the aggregates already begun stay on a stack of
 * frames (so a 100-element array split across 50 reads is never re-parsed from its start), and only the
 * unfinished last item is kept, in a {@link ChunkCollector} that joins it once when enough bytes are there
 * (so a 100 MiB bulk string costs linear work).
 *
 * Garbage never throws out of `feed`: it ends in exactly one `onError` call. Nothing is allocated from a declared
 * length before the bytes arrive. A handler that throws propagates out of `feed`, and the decoder stays usable:
 * the bytes after the reply being delivered are kept and parsed on the next `feed`.
 *
 * Values of `bulkAsBuffer` replies may be views of the chunks fed (for large payloads), so a chunk must not be
 * modified after it has been fed; Node's socket reads never are.
 */
export class RespDecoder {
  private readonly handlers: RespDecoderHandlers
  private readonly maxBulkLength: number
  private readonly maxAggregateLength: number
  private readonly maxDepth: number
  private readonly maxLineLength: number

  /** The bytes being parsed: a chunk as fed, or a pending item joined with the bytes that completed it. */
  private buffer: Buffer = EMPTY
  /** Next byte of `buffer` to parse. */
  private offset = 0
  /** Stream offset of `buffer[0]`, for error messages. */
  private bufferStart = 0
  /** Bytes fed since creation or the last reset. */
  private received = 0

  /** Aggregates begun but not finished, outermost first; only the first `depth` frames are live. */
  private readonly stack: Array<AggregateFrame> = []
  private depth = 0

  /** The unfinished item, from its type byte on. Empty when no item is pending. */
  private readonly pending = new ChunkCollector()
  /** Stream offset of the pending item's type byte. */
  private pendingStart = 0
  /** Total bytes the pending item needs before it is worth parsing again, or WAIT_FOR_LINE. */
  private waitLength = WAIT_FOR_LINE
  /**
   * Type byte of the pending item when it is a large bulk/verbatim string or bulk error decoded to text, else 0.
   * Such an item is decoded straight from the collected pieces when complete, instead of joined and re-parsed.
   */
  private pendingTextType = 0
  /** Where the pending text item's payload starts, counted from its type byte. */
  private pendingPayloadStart = 0
  /** The part of the current chunk after a joined pending item, kept in case a handler throws. */
  private unparsed: Buffer = EMPTY

  /** The value last assigned to `bulkAsBuffer`. */
  private requestedBulkAsBuffer = false
  /**
   * `bulkAsBuffer` as it was when the current top-level reply started: the value assigned last before the
   * reply's first byte was parsed. Updated when a top-level reply completes and when `bulkAsBuffer` is assigned
   * between replies, so the parse loop never has to look at it per item.
   */
  private replyAsBuffer = false

  private isFailed = false
  /** Set while `feed` runs, so that a handler calling `feed` queues its chunk instead of corrupting state. */
  private running = false
  private readonly queued: Array<Buffer> = []
  /** Bumped by `reset`, so that a reset from inside a handler stops the parse loop that called the handler. */
  private generation = 0

  /**
   * @param handlers where replies, pushes, attributes and the protocol error go
   * @param options safety limits; each must be a positive integer (a RangeError is thrown otherwise)
   */
  constructor(handlers: RespDecoderHandlers, options?: RespDecoderOptions) {
    this.handlers = handlers
    this.maxBulkLength = validLimit("maxBulkLength", options?.maxBulkLength, DEFAULT_MAX_BULK_LENGTH)
    this.maxAggregateLength = validLimit("maxAggregateLength", options?.maxAggregateLength, DEFAULT_MAX_AGGREGATE_LENGTH)
    this.maxDepth = validLimit("maxDepth", options?.maxDepth, DEFAULT_MAX_DEPTH)
    this.maxLineLength = validLimit("maxLineLength", options?.maxLineLength, DEFAULT_MAX_LINE_LENGTH)
  }

  /**
   * When true, bulk and verbatim strings of the next top-level reply decode to `Uint8Array` instead of UTF-8
   * strings. Read when a top-level reply starts, so a handler may change it inside `onReply` for the reply that
   * follows; a change while a reply is partially received applies from the next reply on. Default false.
   */
  get bulkAsBuffer(): boolean {
    return this.requestedBulkAsBuffer
  }

  set bulkAsBuffer(value: boolean) {
    this.requestedBulkAsBuffer = value
    if (!this.hasPartialReply) this.replyAsBuffer = value
  }

  /** True once a {@link ProtocolError} has been reported; `feed` then ignores its input until `reset`. */
  get failed(): boolean {
    return this.isFailed
  }

  /**
   * True while a reply has begun but not completed: some of its bytes are buffered or some of its aggregates
   * are open. False between replies (and after a failure or reset).
   */
  get hasPartialReply(): boolean {
    return this.depth > 0 || this.pending.length > 0
  }

  /**
   * Decodes the next bytes of the stream, calling the handlers for everything that completes.
   *
   * @param chunk the next bytes, any size, split anywhere; not copied, so do not modify it afterwards
   */
  feed(chunk: Uint8Array): void {
    if (this.isFailed) return
    const bytes = toBuffer(chunk)
    if (this.running) {
      this.queued.push(bytes)
      return
    }
    this.running = true
    let finished = false
    try {
      this.consume(bytes)
      while (this.queued.length > 0 && !this.isFailed) this.consume(this.queued.shift()!)
      finished = true
    } finally {
      this.running = false
      if (!finished) this.keepUnparsedAfterThrow()
    }
  }

  /**
   * Forgets all partial state and any failure, as for a fresh connection. Byte offsets restart at 0. When called
   * from a handler, the rest of the chunk being decoded is dropped.
   */
  reset(): void {
    this.generation++
    this.releaseState()
    this.isFailed = false
    this.received = 0
    this.queued.length = 0
  }

  private releaseState(): void {
    for (let i = 0; i < this.depth; i++) this.stack[i]!.clear()
    this.depth = 0
    this.pending.clear()
    this.pendingTextType = 0
    this.waitLength = WAIT_FOR_LINE
    this.replyAsBuffer = this.requestedBulkAsBuffer
    this.buffer = EMPTY
    this.offset = 0
    this.unparsed = EMPTY
  }

  /** Parses one chunk: first completes the pending item if there is one, then the fast path over the rest. */
  private consume(chunk: Buffer): void {
    this.received += chunk.length
    const generation = this.generation
    let rest = chunk
    while (this.pending.length > 0) {
      const needed = this.bytesNeeded(rest)
      if (needed < 0) {
        if (!this.isFailed) this.pending.append(rest)
        return
      }
      const completion = rest.subarray(0, needed)
      rest = rest.subarray(needed)
      this.unparsed = rest
      if (this.pendingTextType !== 0) {
        this.completeText(completion)
      } else {
        this.bufferStart = this.pendingStart
        this.buffer = this.pending.join(completion)
        this.offset = 0
        this.parseBuffer()
      }
      this.unparsed = EMPTY
      if (this.isFailed || this.generation !== generation) return
      if (rest.length === 0) {
        this.buffer = EMPTY
        return
      }
    }
    this.bufferStart = this.received - rest.length
    this.buffer = rest
    this.offset = 0
    this.parseBuffer()
    this.buffer = EMPTY
  }

  /**
   * How many bytes of `chunk` must be appended to the pending item before parsing it again is worthwhile, or -1
   * when all of `chunk` is needed and more after it. Re-parsing only when the wait is over is what keeps a line
   * or a bulk string arriving in many small reads linear.
   */
  private bytesNeeded(chunk: Buffer): number {
    const pending = this.pending
    if (this.waitLength !== WAIT_FOR_LINE) {
      const missing = this.waitLength - pending.length
      return missing <= 0 ? 0 : missing <= chunk.length ? missing : -1
    }
    // The pending item lacks the CRLF of its first line. It holds no CR except possibly as its last byte:
    // the readers fail on a CR followed by anything but LF.
    if (chunk.length === 0) return -1
    if (pending.lastByte() === CR) return 1
    const cr = chunk.indexOf(CR)
    const lineEnd = cr === -1 ? chunk.length : cr
    // Lengths and integers are digits only: a byte that cannot belong to them is an error right away, and it
    // must be reported exactly as if everything had arrived in one read (a later CRLF may never come).
    const invalidAt = hasNumericLine(pending.byteAt(0)) ? this.firstNonNumeric(chunk, lineEnd, pending.length, pending.byteAt(0)) : -1
    const contentBefore = pending.length - 1 + (invalidAt === -1 ? lineEnd : invalidAt)
    if (contentBefore > this.maxLineLength) {
      this.failAt(this.lineTooLong(), this.pendingStart)
      return -1
    }
    if (invalidAt !== -1) return invalidAt + 1
    return cr !== -1 && cr + 1 < chunk.length ? cr + 2 : -1
  }

  /**
   * Index in `chunk[0, end)` of the first byte that cannot continue a length or integer line of which `before`
   * bytes (type byte included) have arrived, or -1.
   */
  private firstNonNumeric(chunk: Buffer, end: number, before: number, type: number): number {
    for (let j = 0; j < end; j++) {
      const byte = chunk[j]!
      if (byte >= 48 && byte <= 57) continue
      if (before + j === 1 && (byte === MINUS || (byte === PLUS && type === INTEGER))) continue
      return j
    }
    return -1
  }

  /**
   * Finishes a pending large text payload (see `pendingTextType`) whose last bytes are `completion`: checks its
   * CRLF, decodes it from the collected pieces and delivers it.
   */
  private completeText(completion: Buffer): void {
    const pending = this.pending
    const type = this.pendingTextType
    const payloadStart = this.pendingPayloadStart
    this.pendingTextType = 0
    pending.append(completion)
    const payloadEnd = pending.length - 2
    if (pending.byteAt(payloadEnd) !== CR || pending.byteAt(payloadEnd + 1) !== LF) {
      const badAt = pending.byteAt(payloadEnd) !== CR ? payloadEnd : payloadEnd + 1
      this.failAt(`bulk payload of ${payloadEnd - payloadStart} bytes not followed by CRLF`, this.pendingStart + badAt)
      return
    }
    let value: RespValue
    if (type === VERBATIM_STRING) {
      if (pending.byteAt(payloadStart + 3) !== COLON) {
        this.failAt("verbatim string without its 'xxx:' format prefix", this.pendingStart + payloadStart)
        return
      }
      value = pending.utf8Text(payloadStart + 4, payloadEnd)
    } else if (type === BULK_ERROR) {
      value = new RespErrorReply(pending.utf8Text(payloadStart, payloadEnd))
    } else {
      value = pending.utf8Text(payloadStart, payloadEnd)
    }
    pending.clear()
    this.buffer = EMPTY
    this.offset = 0
    this.deliver(value, 0)
  }

  /** Parses `buffer` from `offset` to its end, delivering every complete item; suspends on an incomplete one. */
  private parseBuffer(): void {
    const buffer = this.buffer
    const end = buffer.length
    const generation = this.generation
    const stack = this.stack
    let offset = this.offset
    while (offset < end) {
      const start = offset
      const type = buffer[start]
      if (type === BULK_STRING) {
        // Fast path for the most common item, a complete bulk string with a short header; anything else
        // (null, incomplete, malformed, over a limit) falls through to the general reader below.
        let i = start + 1
        let length = 0
        while (i < end) {
          const digit = buffer[i]! - 48
          if (digit < 0 || digit > 9) break
          length = length * 10 + digit
          i++
        }
        const payload = i + 2
        const payloadEnd = payload + length
        if (
          payloadEnd + 2 <= end && i > start + 1 && i - start <= EXACT_DIGITS && buffer[i] === CR &&
          buffer[i + 1] === LF && buffer[payloadEnd] === CR && buffer[payloadEnd + 1] === LF &&
          length <= this.maxBulkLength
        ) {
          const value = this.replyAsBuffer ? ownedBytes(buffer, payload, payloadEnd) : utf8Text(buffer, payload, payloadEnd)
          offset = payloadEnd + 2
          const depth = this.depth
          this.offset = offset
          if (depth === 0) {
            // A whole top-level reply: what deliver would do, without the call.
            this.replyAsBuffer = this.requestedBulkAsBuffer
            this.handlers.onReply(value)
            if (this.generation !== generation) return
            continue
          }
          // An element that does not complete its array needs no handler call: store it and go on.
          const frame = stack[depth - 1]!
          if (frame.kind === ARRAY && frame.remaining > 1) {
            frame.array[frame.index++] = value
            frame.remaining--
            continue
          }
          this.deliver(value, 0)
          if (this.generation !== generation) return
          continue
        }
      }
      this.offset = offset
      let value: RespValue | NoValue
      switch (type) {
        case BULK_STRING:
          value = this.readBulkString(buffer, start, end)
          break
        case ARRAY:
          value = this.readAggregate(buffer, start, end, ARRAY)
          break
        case SIMPLE_STRING:
          value = this.readSimpleString(buffer, start, end)
          break
        case INTEGER:
          value = this.readInteger(buffer, start, end)
          break
        case SIMPLE_ERROR:
          value = this.readSimpleError(buffer, start, end)
          break
        case MAP:
          value = this.readAggregate(buffer, start, end, MAP)
          break
        case SET:
          value = this.readAggregate(buffer, start, end, SET)
          break
        case PUSH:
          value = this.readAggregate(buffer, start, end, PUSH)
          break
        case ATTRIBUTE:
          value = this.readAggregate(buffer, start, end, ATTRIBUTE)
          break
        case NULL:
          value = this.readNull(buffer, start, end)
          break
        case BOOLEAN:
          value = this.readBoolean(buffer, start, end)
          break
        case DOUBLE:
          value = this.readDouble(buffer, start, end)
          break
        case BIG_NUMBER:
          value = this.readBigNumber(buffer, start, end)
          break
        case BULK_ERROR:
          value = this.readBulkError(buffer, start, end)
          break
        case VERBATIM_STRING:
          value = this.readVerbatimString(buffer, start, end)
          break
        default:
          this.fail(`unknown type byte ${describeByte(buffer[start]!)}`, start)
          return
      }
      if (typeof value === "symbol") {
        if (value === INCOMPLETE) {
          this.suspend(start)
          return
        }
        if (value === FAILED) return
      } else {
        this.deliver(value, 0)
      }
      if (this.generation !== generation) return
      offset = this.offset
    }
    this.offset = offset
  }

  /** Keeps the unfinished item starting at `start` for the next feed. `waitLength` was set by its reader. */
  private suspend(start: number): void {
    const buffer = this.buffer
    this.pending.append(buffer.subarray(start))
    this.pendingStart = this.bufferStart + start
    this.offset = buffer.length
  }

  /**
   * Hands a finished value to the innermost open aggregate, closing every aggregate it completes, and delivers
   * whatever completes at the top level (or an attribute, at any level).
   *
   * @param kind the aggregate type byte when `value` is a whole aggregate, else 0
   */
  private deliver(value: RespValue, kind: number): void {
    while (this.depth > 0 && kind !== ATTRIBUTE) {
      const frame = this.stack[this.depth - 1]!
      if (frame.kind === ARRAY) {
        // Inlined AggregateFrame.add for the most common aggregate.
        frame.array[frame.index++] = value
        if (--frame.remaining !== 0) return
      } else if (!frame.add(value)) return
      this.depth--
      kind = frame.kind
      value = frame.take()
    }
    // At the top level the next reply starts now: it takes the latest bulkAsBuffer, unless the handler changes it.
    if (this.depth === 0) this.replyAsBuffer = this.requestedBulkAsBuffer
    if (kind === ATTRIBUTE) {
      const onAttribute = this.handlers.onAttribute
      if (onAttribute !== undefined) onAttribute(value as ReadonlyMap<RespValue, RespValue>)
    } else if (kind === PUSH) {
      this.handlers.onPush(value as ReadonlyArray<RespValue>)
    } else {
      this.handlers.onReply(value)
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Readers. Each parses one item starting at `start` (its type byte). On success it moves `offset` past the
  // item and returns the value; when the buffer ends first it sets `waitLength` and returns INCOMPLETE.

  private readBulkString(buffer: Buffer, start: number, end: number): RespValue | NoValue {
    const length = this.readLength(buffer, start + 1, end)
    if (length < 0) return length === NULL_LENGTH ? null : length === LENGTH_INCOMPLETE ? INCOMPLETE : FAILED
    const payload = this.readPayload(buffer, start, end, length)
    if (payload < 0) return payload === LENGTH_INCOMPLETE ? INCOMPLETE : FAILED
    return this.replyAsBuffer ? ownedBytes(buffer, payload, payload + length) : utf8Text(buffer, payload, payload + length)
  }

  private readVerbatimString(buffer: Buffer, start: number, end: number): RespValue | NoValue {
    const length = this.readLength(buffer, start + 1, end)
    if (length < 0) return this.notALength(length, "verbatim string", start)
    const payload = this.readPayload(buffer, start, end, length)
    if (payload < 0) return payload === LENGTH_INCOMPLETE ? INCOMPLETE : FAILED
    // The payload starts with a 3-character format ("txt", "mkd") and a colon, which are not part of the value.
    if (length < 4 || buffer[payload + 3] !== COLON) return this.fail("verbatim string without its 'xxx:' format prefix", payload)
    return this.replyAsBuffer ? ownedBytes(buffer, payload + 4, payload + length) : utf8Text(buffer, payload + 4, payload + length)
  }

  private readBulkError(buffer: Buffer, start: number, end: number): RespValue | NoValue {
    const length = this.readLength(buffer, start + 1, end)
    if (length < 0) return this.notALength(length, "bulk error", start)
    const payload = this.readPayload(buffer, start, end, length)
    if (payload < 0) return payload === LENGTH_INCOMPLETE ? INCOMPLETE : FAILED
    return new RespErrorReply(utf8Text(buffer, payload, payload + length))
  }

  /**
   * Checks a bulk payload of `length` bytes starting at `offset` (just after its header) and its CRLF.
   *
   * @returns the payload's start, or LENGTH_INCOMPLETE / LENGTH_FAILED
   */
  private readPayload(buffer: Buffer, start: number, end: number, length: number): number {
    if (length > this.maxBulkLength) {
      this.fail(`bulk length ${length} exceeds maxBulkLength ${this.maxBulkLength}`, start)
      return LENGTH_FAILED
    }
    const payload = this.offset
    const payloadEnd = payload + length
    if (payloadEnd + 2 > end) {
      this.waitLength = payloadEnd + 2 - start
      if (length >= PIECEWISE_TEXT_LENGTH && !this.replyAsBuffer) {
        this.pendingTextType = buffer[start]!
        this.pendingPayloadStart = payload - start
      }
      return LENGTH_INCOMPLETE
    }
    if (buffer[payloadEnd] !== CR || buffer[payloadEnd + 1] !== LF) {
      this.fail(`bulk payload of ${length} bytes not followed by CRLF`, buffer[payloadEnd] !== CR ? payloadEnd : payloadEnd + 1)
      return LENGTH_FAILED
    }
    this.offset = payloadEnd + 2
    return payload
  }

  private readAggregate(buffer: Buffer, start: number, end: number, kind: number): RespValue | NoValue {
    const length = this.readLength(buffer, start + 1, end)
    if (length < 0) {
      // RESP2's null array; RESP3 never sends a negative aggregate length.
      if (length === NULL_LENGTH && kind === ARRAY) return null
      return this.notALength(length, "aggregate", start)
    }
    if (length > this.maxAggregateLength) {
      return this.fail(`aggregate length ${length} exceeds maxAggregateLength ${this.maxAggregateLength}`, start)
    }
    if (this.depth >= this.maxDepth) return this.fail(`nesting deeper than ${this.maxDepth}`, start)
    if (length === 0) {
      this.deliver(kind === MAP || kind === ATTRIBUTE ? new Map() : kind === SET ? new Set() : [], kind)
      return CONSUMED
    }
    let frame = this.stack[this.depth]
    if (frame === undefined) {
      frame = new AggregateFrame()
      this.stack.push(frame)
    }
    frame.open(kind, length)
    this.depth++
    return CONSUMED
  }

  private readSimpleString(buffer: Buffer, start: number, end: number): RespValue | NoValue {
    const cr = this.findLineEnd(buffer, start + 1, end)
    if (cr < 0) return cr === LENGTH_INCOMPLETE ? INCOMPLETE : FAILED
    this.offset = cr + 2
    return utf8Text(buffer, start + 1, cr)
  }

  private readSimpleError(buffer: Buffer, start: number, end: number): RespValue | NoValue {
    const cr = this.findLineEnd(buffer, start + 1, end)
    if (cr < 0) return cr === LENGTH_INCOMPLETE ? INCOMPLETE : FAILED
    this.offset = cr + 2
    return new RespErrorReply(utf8Text(buffer, start + 1, cr))
  }

  private readInteger(buffer: Buffer, start: number, end: number): RespValue | NoValue {
    let i = start + 1
    let negative = false
    if (i < end) {
      const sign = buffer[i]
      if (sign === MINUS) {
        negative = true
        i++
      } else if (sign === PLUS) {
        i++
      }
    }
    const digitsStart = i
    let value = 0
    while (i < end) {
      const digit = buffer[i]! - 48
      if (digit < 0 || digit > 9) break
      value = value * 10 + digit
      i++
    }
    // Errors are checked in stream order (too long, then a bad byte), so chunking cannot change which is reported.
    if (i - start - 1 > this.maxLineLength) return this.fail(this.lineTooLong(), start)
    if (i >= end) return this.incompleteLine(start, end)
    if (buffer[i] !== CR) return this.fail(`invalid integer: unexpected byte ${describeByte(buffer[i]!)}`, i)
    if (i + 1 === end) return this.incompleteLine(start, end)
    if (buffer[i + 1] !== LF) return this.fail(`expected LF after CR, got ${describeByte(buffer[i + 1]!)}`, i + 1)
    if (i === digitsStart) return this.fail("integer without digits", i)
    this.offset = i + 2
    if (i - digitsStart <= EXACT_DIGITS) return negative ? 0 - value : value
    // Too many digits for a double to be trusted: redo it exactly; keep a number when it fits.
    const exact = BigInt(latin1Text(buffer, digitsStart, i))
    const signed = negative ? -exact : exact
    return signed >= MIN_SAFE_BIGINT && signed <= MAX_SAFE_BIGINT ? Number(signed) : signed
  }

  private readNull(buffer: Buffer, start: number, end: number): RespValue | NoValue {
    const cr = this.findLineEnd(buffer, start + 1, end)
    if (cr < 0) return cr === LENGTH_INCOMPLETE ? INCOMPLETE : FAILED
    if (cr !== start + 1) return this.fail(`invalid null: ${quoteForMessage(buffer, start + 1, cr)}`, start + 1)
    this.offset = cr + 2
    return null
  }

  private readBoolean(buffer: Buffer, start: number, end: number): RespValue | NoValue {
    const cr = this.findLineEnd(buffer, start + 1, end)
    if (cr < 0) return cr === LENGTH_INCOMPLETE ? INCOMPLETE : FAILED
    const flag = buffer[start + 1]
    if (cr !== start + 2 || (flag !== 116 && flag !== 102)) {
      return this.fail(`invalid boolean: ${quoteForMessage(buffer, start + 1, cr)}`, start + 1)
    }
    this.offset = cr + 2
    return flag === 116 // 't'
  }

  private readDouble(buffer: Buffer, start: number, end: number): RespValue | NoValue {
    const cr = this.findLineEnd(buffer, start + 1, end)
    if (cr < 0) return cr === LENGTH_INCOMPLETE ? INCOMPLETE : FAILED
    const text = latin1Text(buffer, start + 1, cr)
    let value: number
    switch (text) {
      case "inf":
      case "+inf":
        value = Infinity
        break
      case "-inf":
        value = -Infinity
        break
      case "nan":
      case "-nan":
        value = NaN
        break
      default:
        if (!DOUBLE_PATTERN.test(text)) return this.fail(`invalid double: ${quoteForMessage(buffer, start + 1, cr)}`, start + 1)
        value = Number(text)
    }
    this.offset = cr + 2
    return value
  }

  private readBigNumber(buffer: Buffer, start: number, end: number): RespValue | NoValue {
    const cr = this.findLineEnd(buffer, start + 1, end)
    if (cr < 0) return cr === LENGTH_INCOMPLETE ? INCOMPLETE : FAILED
    const text = latin1Text(buffer, start + 1, cr)
    if (!BIG_NUMBER_PATTERN.test(text)) return this.fail(`invalid big number: ${quoteForMessage(buffer, start + 1, cr)}`, start + 1)
    this.offset = cr + 2
    return BigInt(text)
  }

  // ---------------------------------------------------------------------------------------------------------
  // Line and length scanning.

  /**
   * Finds the CR of the CRLF ending the line that starts at `from`.
   *
   * @returns the index of the CR, LENGTH_INCOMPLETE (waitLength set) or LENGTH_FAILED
   */
  private findLineEnd(buffer: Buffer, from: number, end: number): number {
    for (let i = from; i < end; i++) {
      if (buffer[i] !== CR) continue
      // Too long first, as that is what a reader receiving the line in pieces finds first.
      if (i - from > this.maxLineLength) {
        this.fail(this.lineTooLong(), from - 1)
        return LENGTH_FAILED
      }
      if (i + 1 === end) break
      if (buffer[i + 1] !== LF) {
        this.fail(`expected LF after CR, got ${describeByte(buffer[i + 1]!)}`, i + 1)
        return LENGTH_FAILED
      }
      return i
    }
    return this.incompleteLine(from - 1, end) === INCOMPLETE ? LENGTH_INCOMPLETE : LENGTH_FAILED
  }

  /**
   * Reads the decimal length after a type byte, up to and including its CRLF, and moves `offset` past it.
   *
   * @returns the length, NULL_LENGTH for "-1", LENGTH_INCOMPLETE (waitLength set) or LENGTH_FAILED
   */
  private readLength(buffer: Buffer, from: number, end: number): number {
    let i = from
    const negative = i < end && buffer[i] === MINUS
    if (negative) i++
    const digitsStart = i
    let length = 0
    while (i < end) {
      const digit = buffer[i]! - 48
      if (digit < 0 || digit > 9) break
      length = length * 10 + digit
      i++
    }
    // Errors are checked in stream order (too long, then a bad byte), so chunking cannot change which is reported.
    if (i - from > this.maxLineLength) {
      this.fail(this.lineTooLong(), from - 1)
      return LENGTH_FAILED
    }
    if (i >= end) return this.incompleteLine(from - 1, end) === INCOMPLETE ? LENGTH_INCOMPLETE : LENGTH_FAILED
    if (buffer[i] !== CR) {
      this.fail(`invalid length: unexpected byte ${describeByte(buffer[i]!)}`, i)
      return LENGTH_FAILED
    }
    if (i + 1 === end) return this.incompleteLine(from - 1, end) === INCOMPLETE ? LENGTH_INCOMPLETE : LENGTH_FAILED
    if (buffer[i + 1] !== LF) {
      this.fail(`expected LF after CR, got ${describeByte(buffer[i + 1]!)}`, i + 1)
      return LENGTH_FAILED
    }
    if (i === digitsStart) {
      this.fail("length without digits", i)
      return LENGTH_FAILED
    }
    this.offset = i + 2
    if (negative) {
      if (length === 1) return NULL_LENGTH
      this.fail(`negative length -${length}`, from)
      return LENGTH_FAILED
    }
    return length
  }

  /** Maps a negative readLength result for a type that has no null form. */
  private notALength(result: number, what: string, start: number): typeof INCOMPLETE | typeof FAILED {
    if (result === LENGTH_INCOMPLETE) return INCOMPLETE
    if (result === NULL_LENGTH) return this.fail(`negative length -1 for a ${what}`, start + 1)
    return FAILED
  }

  /** The line starting at the type byte `start` has no CRLF before `end`: wait for it, unless it is already too long. */
  private incompleteLine(start: number, end: number): typeof INCOMPLETE | typeof FAILED {
    // The line's content excludes its type byte and a CR that may already have arrived.
    const contentLength = end - start - 1 - (this.buffer[end - 1] === CR ? 1 : 0)
    if (contentLength > this.maxLineLength) return this.fail(this.lineTooLong(), start)
    this.waitLength = WAIT_FOR_LINE
    return INCOMPLETE
  }

  private lineTooLong(): string {
    return `line longer than maxLineLength ${this.maxLineLength} bytes`
  }

  // ---------------------------------------------------------------------------------------------------------
  // Failure.

  private fail(reason: string, position: number): typeof FAILED {
    return this.failAt(reason, this.bufferStart + position)
  }

  private failAt(reason: string, streamOffset: number): typeof FAILED {
    this.isFailed = true
    this.releaseState()
    this.queued.length = 0
    this.handlers.onError(new ProtocolError({ reason, offset: streamOffset }))
    return FAILED
  }

  /**
   * A handler threw: everything up to `offset` was delivered, the rest was not looked at. Keep the rest so the
   * next feed carries on from exactly there.
   */
  private keepUnparsedAfterThrow(): void {
    if (this.isFailed) return
    // Handlers only run before an item is suspended, so nothing is pending here.
    const rest = this.buffer.subarray(this.offset)
    this.pendingStart = rest.length > 0 ? this.bufferStart + this.offset : this.received - this.unparsed.length
    this.pending.append(rest)
    this.pending.append(this.unparsed)
    for (const chunk of this.queued) {
      this.pending.append(chunk)
      this.received += chunk.length
    }
    this.queued.length = 0
    this.buffer = EMPTY
    this.offset = 0
    this.unparsed = EMPTY
    this.waitLength = 0
  }
}
