/**
 * Turning byte ranges of a Buffer into strings (and back into owned bytes) as cheaply as Node allows.
 *
 * @internal
 * @module
 */
import { Buffer } from "node:buffer"

/**
 * Node's Buffer has undocumented per-encoding slice methods (`utf8Slice`, `latin1Slice`) that `toString` calls
 * after validating its arguments; calling them directly saves that work on every string of every reply.
 * They are not in `@types/node`, hence this view of the type.
 */
interface BufferWithSlices extends Buffer {
  utf8Slice(start: number, end: number): string
  latin1Slice(start: number, end: number): string
}

const prototype = Buffer.prototype as Partial<BufferWithSlices>
const hasFastSlices = typeof prototype.utf8Slice === "function" && typeof prototype.latin1Slice === "function"

/** Strings up to this many bytes are built in JavaScript: cheaper than a call into C++ (measured on Node 24). */
const SHORT_STRING_LENGTH = 6

/**
 * Decodes `buffer[start, end)` as UTF-8 (invalid sequences become U+FFFD, as with `Buffer#toString`).
 */
export const utf8Text = (buffer: Buffer, start: number, end: number): string => {
  if (end - start <= SHORT_STRING_LENGTH) {
    let text = ""
    for (let i = start; i < end; i++) {
      const byte = buffer[i]!
      if (byte >= 0x80) return slowUtf8(buffer, start, end)
      text += String.fromCharCode(byte)
    }
    return text
  }
  return hasFastSlices ? (buffer as BufferWithSlices).utf8Slice(start, end) : buffer.toString("utf8", start, end)
}

const slowUtf8 = (buffer: Buffer, start: number, end: number): string =>
  hasFastSlices ? (buffer as BufferWithSlices).utf8Slice(start, end) : buffer.toString("utf8", start, end)

/** Decodes `buffer[start, end)` one byte per character; for ASCII-only protocol text (numbers, lengths). */
export const latin1Text = (buffer: Buffer, start: number, end: number): string =>
  hasFastSlices ? (buffer as BufferWithSlices).latin1Slice(start, end) : buffer.toString("latin1", start, end)

/**
 * The bytes `buffer[start, end)` as a Uint8Array for the caller to keep.
 *
 * A view is returned when the range is at least half of `buffer` (large values, and values assembled into a
 * buffer of their own), so big payloads are never copied twice. Smaller ranges are copied: a view of a few bytes
 * would otherwise keep a whole 64 KiB socket read alive for as long as the application holds the value.
 */
export const ownedBytes = (buffer: Buffer, start: number, end: number): Buffer => {
  const length = end - start
  if (length >= buffer.length >>> 1) return buffer.subarray(start, end)
  const copy = Buffer.allocUnsafe(length)
  buffer.copy(copy, 0, start, end)
  return copy
}

/** Renders a byte for an error message, e.g. `0x41 'A'` or `0x0d`. */
export const describeByte = (byte: number): string => {
  const hex = `0x${byte.toString(16).padStart(2, "0")}`
  return byte >= 0x20 && byte < 0x7f ? `${hex} '${String.fromCharCode(byte)}'` : hex
}

/** Renders protocol text for an error message, shortened so a huge garbage line cannot flood a log. */
export const quoteForMessage = (buffer: Buffer, start: number, end: number): string => {
  const limit = Math.min(end, start + 40)
  const text = JSON.stringify(latin1Text(buffer, start, limit))
  return limit < end ? `${text}…` : text
}
