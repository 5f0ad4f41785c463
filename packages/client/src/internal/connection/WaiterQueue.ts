/** Capacity above which an emptied queue goes back to its initial size. */
const SHRINK_ABOVE = 4096

/**
 * A FIFO ring buffer: the waiters of one connection in the order their replies will arrive. Array#shift is O(n)
 * on large queues; this keeps push/shift O(1) with thousands of commands in flight.
 */
export class WaiterQueue<A> {
  private items: Array<A | undefined>
  private head = 0
  private count = 0
  private readonly initialCapacity: number

  constructor(initialCapacity = 64) {
    this.initialCapacity = initialCapacity
    this.items = new Array(initialCapacity)
  }

  /** Slots allocated (grows with the queue, back to the initial size once a big queue drained). */
  get capacity(): number {
    return this.items.length
  }

  /** Number of queued items. */
  get length(): number {
    return this.count
  }

  /** Appends at the tail. */
  push(item: A): void {
    if (this.count === this.items.length) this.grow()
    this.items[(this.head + this.count) % this.items.length] = item
    this.count++
  }

  /** Removes and returns the head, or `undefined` when empty. */
  shift(): A | undefined {
    if (this.count === 0) return undefined
    const item = this.items[this.head]
    this.items[this.head] = undefined
    this.head = (this.head + 1) % this.items.length
    // A big pipeline grew the ring (200k commands: 2 MB of slots); give it back once it has drained.
    if (--this.count === 0 && this.items.length > SHRINK_ABOVE) {
      this.items = new Array(this.initialCapacity)
      this.head = 0
    }
    return item
  }

  /** The head without removing it. */
  peek(): A | undefined {
    return this.count === 0 ? undefined : this.items[this.head]
  }

  /** The item at `index` from the head (0 is the head). */
  at(index: number): A | undefined {
    return index < 0 || index >= this.count ? undefined : this.items[(this.head + index) % this.items.length]
  }

  /** Removes every item and returns them in order. */
  drain(): Array<A> {
    const out: Array<A> = new Array(this.count)
    for (let i = 0; i < this.count; i++) out[i] = this.at(i)!
    this.items = new Array(this.initialCapacity)
    this.head = 0
    this.count = 0
    return out
  }

  private grow(): void {
    const next: Array<A | undefined> = new Array(this.items.length * 2)
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) % this.items.length]
    this.items = next
    this.head = 0
  }
}
