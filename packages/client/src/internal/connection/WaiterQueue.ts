/**
 * A FIFO ring buffer: the waiters of one connection in the order their replies will arrive. Array#shift is O(n)
 * on large queues; this keeps push/shift O(1) with thousands of commands in flight.
 */
export class WaiterQueue<A> {
  private items: Array<A | undefined>
  private head = 0
  private count = 0

  constructor(initialCapacity = 64) {
    this.items = new Array(initialCapacity)
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
    this.count--
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
    this.items = new Array(this.items.length)
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
