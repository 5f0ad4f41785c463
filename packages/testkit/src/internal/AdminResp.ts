/**
 * The RESP2 wire format as far as the test kit's admin link needs it: encoding a command as an array of
 * bulk strings, and reading replies incrementally.
 *
 * This is deliberately separate from `@effect-redis/resp`: the test kit must be able to start, inspect and
 * break servers even when the client packages under test are broken. It never sends HELLO, so RESP2 is all
 * it will ever receive.
 *
 * @internal
 */

/**
 * An error reply (`-ERR ...`, `-MOVED ...`, `-ASK ...`) as a plain value: inside arrays it is data, at the
 * top level of a reply the admin connection turns it into an `AdminCommandError`.
 */
export class RespErrorReply {
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

/**
 * One reply. Simple and bulk strings are `string` (UTF-8) unless the caller asked for bytes, then bulk
 * strings are `Uint8Array`; integers are `number`; null bulk strings and null arrays are `null`.
 */
export type RespReply = string | Uint8Array | number | null | RespErrorReply | ReadonlyArray<RespReply>

/** How bulk strings of one reply are surfaced: as UTF-8 text, or as raw bytes (keys that may be binary). */
export type BulkStringMode = "text" | "bytes"

/** One argument of a command: text is sent as UTF-8. */
export type CommandArgument = string | Uint8Array

const CRLF = Buffer.from("\r\n")

/** Encodes a command as a RESP array of bulk strings. */
export const encodeCommand = (args: ReadonlyArray<CommandArgument>): Buffer => {
  const parts: Array<Buffer> = [Buffer.from(`*${args.length}\r\n`)]
  for (const arg of args) {
    const bytes = typeof arg === "string" ? Buffer.from(arg, "utf8") : Buffer.from(arg)
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF)
  }
  return Buffer.concat(parts)
}

/** Returned by {@link RespReplyReader.next} when the buffered bytes do not hold a whole reply yet. */
export const Incomplete: unique symbol = Symbol.for("@effect-redis/testkit/AdminResp/Incomplete")

/**
 * Reads replies out of a byte stream that arrives in arbitrary chunks. Admin replies are small, so the
 * reader simply keeps the unread bytes in one buffer and re-parses from the start of a reply until it is
 * complete; the client's decoder is where streaming performance matters, not here.
 */
export class RespReplyReader {
  #buffer: Buffer = Buffer.alloc(0)

  /** Appends bytes read from the socket. */
  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
  }

  /** The next whole reply, or {@link Incomplete}; throws on bytes that are not RESP2. */
  next(bulk: BulkStringMode): RespReply | typeof Incomplete {
    const parsed = parseReply(this.#buffer, 0, bulk)
    if (parsed === undefined) return Incomplete
    this.#buffer = this.#buffer.subarray(parsed.end)
    return parsed.value
  }
}

interface Parsed {
  readonly value: RespReply
  readonly end: number
}

const parseReply = (buffer: Buffer, start: number, bulk: BulkStringMode): Parsed | undefined => {
  if (start >= buffer.length) return undefined
  const lineEnd = buffer.indexOf(CRLF, start)
  if (lineEnd === -1) return undefined
  const type = String.fromCharCode(buffer[start]!)
  const line = buffer.toString("utf8", start + 1, lineEnd)
  const afterLine = lineEnd + 2
  switch (type) {
    case "+":
      return { value: line, end: afterLine }
    case "-":
      return { value: new RespErrorReply(line), end: afterLine }
    case ":":
      return { value: Number(line), end: afterLine }
    case "$": {
      const length = Number(line)
      if (length < 0) return { value: null, end: afterLine }
      const dataEnd = afterLine + length
      if (dataEnd + 2 > buffer.length) return undefined
      const data = buffer.subarray(afterLine, dataEnd)
      return { value: bulk === "text" ? data.toString("utf8") : Uint8Array.from(data), end: dataEnd + 2 }
    }
    case "*": {
      const count = Number(line)
      if (count < 0) return { value: null, end: afterLine }
      const items: Array<RespReply> = []
      let at = afterLine
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, at, bulk)
        if (item === undefined) return undefined
        items.push(item.value)
        at = item.end
      }
      return { value: items, end: at }
    }
    default:
      throw new Error(`not a RESP2 reply: type byte ${JSON.stringify(type)}`)
  }
}
