/**
 * The client's write path: commands to RESP bytes, batched for one socket write.
 *
 * @module
 */
import { Buffer } from "node:buffer"
import { Result } from "effect"
import type { RespArg } from "./RespValue.ts"

/**
 * Why a command could not be encoded. A plain object, not an error: the caller decides what failure to raise.
 */
export interface InvalidArgument {
  /** Position of the offending argument in the command's argument list (0 is the command name). */
  readonly index: number
  /** What is wrong with it, e.g. `"undefined is not a valid argument (expected string, number, bigint or Uint8Array)"`. */
  readonly reason: string
}

/** Options of {@link CommandEncoder}. */
export interface CommandEncoderOptions {
  /** Largest argument accepted, in bytes. Default 512 MiB, the server's default proto-max-bulk-len. */
  readonly maxBulkLength?: number
}

const DEFAULT_MAX_BULK_LENGTH = 512 * 1024 * 1024

/**
 * The decimal text a number is sent as, or undefined when it has none Redis would accept.
 *
 * Integers are written out in full, never with an exponent: `String(1e21)` is `"1e+21"`, which integer commands
 * (INCRBY, EXPIRE...) reject, so unsafe integers go through BigInt for their exact decimal expansion. Other
 * finite numbers use `String(n)`, the shortest text that round-trips; it may have an exponent (`1e-7`), which
 * every float-taking command accepts (Redis parses them with strtod/strtold). Infinities use Redis' spelling.
 */
const numberText = (value: number): string | undefined => {
  if (Number.isSafeInteger(value)) return value === 0 ? "0" : `${value}`
  if (Number.isInteger(value)) return BigInt(value).toString()
  if (Number.isFinite(value)) return `${value}`
  if (value === Infinity) return "+inf"
  if (value === -Infinity) return "-inf"
  return undefined
}

const describeType = (value: unknown): string => {
  if (value === null) return "null"
  if (typeof value === "object") {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name
    return typeof name === "string" && name !== "Object" ? `an object (${name})` : "an object"
  }
  return typeof value
}

const invalid = (index: number, reason: string): InvalidArgument => ({ index, reason })

/**
 * Accumulates encoded commands until the connection takes them for one socket write.
 *
 * Every command is a RESP array of bulk strings. Commands made of strings and numbers accumulate into a single
 * string (V8 concatenates lazily, and the socket encodes it to UTF-8 once, in one write). A `Uint8Array` argument
 * is never copied: it ends the current string chunk and becomes a chunk of its own.
 */
export class CommandEncoder {
  private readonly maxBulkLength: number
  /** Finished chunks, in order; `text` follows them. */
  private chunks: Array<string | Uint8Array> = []
  /** The string chunk being extended. */
  private text = ""
  private bytes = 0

  /**
   * @param options `maxBulkLength`: largest argument accepted, in bytes (default 512 MiB); a RangeError is thrown
   *   unless it is a non-negative integer
   */
  constructor(options?: CommandEncoderOptions) {
    const max = options?.maxBulkLength ?? DEFAULT_MAX_BULK_LENGTH
    if (!Number.isInteger(max) || max < 0) throw new RangeError(`CommandEncoder: maxBulkLength must be a non-negative integer, got ${max}`)
    this.maxBulkLength = max
  }

  /** True when nothing has been appended since the last `take`. */
  get isEmpty(): boolean {
    return this.text === "" && this.chunks.length === 0
  }

  /** Bytes appended since the last `take` (exact), for deciding when to flush. */
  get pendingBytes(): number {
    return this.bytes
  }

  /**
   * Appends one command, `args[0]` being its name.
   *
   * Every argument is checked first; when one cannot be encoded, nothing is appended and the problem is returned.
   * Accepted: strings (sent as UTF-8), finite numbers (integers in full decimal, others as `String(n)`; see
   * below), `Infinity`/`-Infinity` (`+inf`/`-inf`), bigints (decimal), and `Uint8Array`s (raw bytes). Rejected:
   * `NaN`, any other type (undefined, null, boolean, objects...), an argument longer than `maxBulkLength` bytes,
   * and an empty argument list (the server would silently ignore it and the reply would never come).
   *
   * Numbers: integers are never written with an exponent (`1e21` is sent as `1000000000000000000000`), so they
   * stay acceptable to integer commands as far as their value allows; non-integers use JavaScript's shortest
   * round-tripping text, possibly with an exponent (`1e-7`), which Redis' float parsing accepts.
   *
   * @returns undefined when appended, else the first invalid argument
   */
  push(args: ReadonlyArray<RespArg>): InvalidArgument | undefined {
    const count = args.length
    if (count === 0) return invalid(0, "empty command: args[0] must be the command name")
    const max = this.maxBulkLength
    let command = `*${count}\r\n`
    let bytes = command.length
    // Only allocated for commands with Uint8Array arguments: the string chunks and buffers in between.
    let parts: Array<string | Uint8Array> | undefined
    for (let i = 0; i < count; i++) {
      const arg: unknown = args[i]
      if (typeof arg === "string") {
        const length = Buffer.byteLength(arg, "utf8")
        if (length > max) return invalid(i, `argument of ${length} bytes exceeds maxBulkLength ${max}`)
        command += `$${length}\r\n${arg}\r\n`
        bytes += length + 5 + digitCount(length)
      } else if (typeof arg === "number") {
        const text = numberText(arg)
        if (text === undefined) return invalid(i, "NaN is not a valid argument")
        command += `$${text.length}\r\n${text}\r\n`
        bytes += text.length + 5 + digitCount(text.length)
      } else if (typeof arg === "bigint") {
        const text = arg.toString()
        if (text.length > max) return invalid(i, `argument of ${text.length} bytes exceeds maxBulkLength ${max}`)
        command += `$${text.length}\r\n${text}\r\n`
        bytes += text.length + 5 + digitCount(text.length)
      } else if (arg instanceof Uint8Array) {
        const length = arg.byteLength
        if (length > max) return invalid(i, `argument of ${length} bytes exceeds maxBulkLength ${max}`)
        bytes += length + 5 + digitCount(length)
        if (length === 0) {
          command += "$0\r\n\r\n"
        } else {
          if (parts === undefined) parts = []
          parts.push(`${command}$${length}\r\n`, arg)
          command = "\r\n"
        }
      } else {
        return invalid(i, `${describeType(arg)} is not a valid argument (expected string, number, bigint or Uint8Array)`)
      }
    }
    this.bytes += bytes
    if (parts === undefined) {
      this.text += command
      return undefined
    }
    // Close the current string chunk with the text before the first buffer, then hand over the rest.
    const chunks = this.chunks
    chunks.push(this.text + (parts[0] as string))
    for (let i = 1; i < parts.length; i++) chunks.push(parts[i]!)
    this.text = command
    return undefined
  }

  /**
   * Returns everything appended since the last call, as chunks to write in order (strings are UTF-8), and
   * starts over. Returns an empty array when nothing was appended.
   */
  take(): Array<string | Uint8Array> {
    const chunks = this.chunks
    if (this.text !== "") chunks.push(this.text)
    this.chunks = []
    this.text = ""
    this.bytes = 0
    return chunks
  }
}

/** Number of decimal digits of a non-negative integer (the length of a length prefix). */
const digitCount = (n: number): number => (n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : `${n}`.length)

const sharedEncoder = new CommandEncoder()

/**
 * Encodes a single command into one byte array, for tests, tools and one-off writes.
 *
 * @returns the bytes, or the first invalid argument (see {@link CommandEncoder.push} for what is accepted)
 */
export const encodeCommand = (
  args: ReadonlyArray<RespArg>,
  options?: CommandEncoderOptions
): Result.Result<Uint8Array, InvalidArgument> => {
  const encoder = options === undefined ? sharedEncoder : new CommandEncoder(options)
  const problem = encoder.push(args)
  if (problem !== undefined) return Result.fail(problem)
  const chunks = encoder.take()
  return Result.succeed(Buffer.concat(chunks.map((chunk) => (typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk))))
}
