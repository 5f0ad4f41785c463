/**
 * One partially built aggregate (array, map, set, push or attribute) on the decoder's stack.
 *
 * @internal
 * @module
 */
import type { RespValue } from "../RespValue.ts"

/** Type bytes of the aggregate kinds, as they appear on the wire. */
export const ARRAY = 42 // '*'
export const MAP = 37 // '%'
export const SET = 126 // '~'
export const PUSH = 62 // '>'
export const ATTRIBUTE = 124 // '|'

/**
 * Arrays declaring at most this many elements are allocated at their final size up front; longer ones grow as
 * elements actually arrive, so that a garbage header such as `*999999999` cannot allocate gigabytes.
 */
const PREALLOCATE_LIMIT = 1024

const NO_ELEMENTS: Array<RespValue> = []

/**
 * An aggregate whose header has been read but whose elements have not all arrived yet.
 *
 * Frames are kept on a stack and reused between replies (the decoder never shrinks the stack), so decoding
 * nested replies allocates only the containers themselves. The fields are monomorphic on purpose: one class,
 * one field per container type, so the decoder's hot loop sees a single object shape.
 */
export class AggregateFrame {
  /** Type byte of the aggregate: {@link ARRAY}, {@link MAP}, {@link SET}, {@link PUSH} or {@link ATTRIBUTE}. */
  kind = 0
  /** Elements still expected; a map or attribute pair counts as two elements. */
  remaining = 0
  /** Elements of an array or push; `index` is where the next one goes. */
  array: Array<RespValue> = NO_ELEMENTS
  index = 0
  map: Map<RespValue, RespValue> | null = null
  set: Set<RespValue> | null = null
  /** The key of a map or attribute pair whose value has not arrived yet. */
  key: RespValue = null
  /** True when the next element of a map or attribute is a value (the key was the previous one). */
  expectingValue = false

  /**
   * Prepares the frame for a new aggregate.
   *
   * @param kind the aggregate's type byte
   * @param length the declared number of elements (pairs for maps and attributes); at least 1
   */
  open(kind: number, length: number): void {
    this.kind = kind
    this.index = 0
    this.expectingValue = false
    if (kind === MAP || kind === ATTRIBUTE) {
      this.remaining = length * 2
      this.map = new Map()
    } else if (kind === SET) {
      this.remaining = length
      this.set = new Set()
    } else {
      this.remaining = length
      this.array = length <= PREALLOCATE_LIMIT ? new Array<RespValue>(length) : []
    }
  }

  /**
   * Adds the next element.
   *
   * @returns true when the aggregate is now complete
   */
  add(value: RespValue): boolean {
    const kind = this.kind
    if (kind === ARRAY || kind === PUSH) {
      this.array[this.index++] = value
    } else if (kind === SET) {
      this.set!.add(value)
    } else if (this.expectingValue) {
      this.map!.set(this.key, value)
      this.key = null
      this.expectingValue = false
    } else {
      this.key = value
      this.expectingValue = true
    }
    return --this.remaining === 0
  }

  /** Returns the finished container and drops the frame's references to it, so the frame can be reused. */
  take(): RespValue {
    const kind = this.kind
    let value: RespValue
    if (kind === ARRAY || kind === PUSH) {
      value = this.array
      this.array = NO_ELEMENTS
    } else if (kind === SET) {
      value = this.set!
      this.set = null
    } else {
      value = this.map!
      this.map = null
    }
    return value
  }

  /** Drops every reference held (used when the decoder resets or fails). */
  clear(): void {
    this.kind = 0
    this.remaining = 0
    this.array = NO_ELEMENTS
    this.index = 0
    this.map = null
    this.set = null
    this.key = null
    this.expectingValue = false
  }
}
