/** The waiters' ring buffer: FIFO across growth, and a big queue's slots given back once it drained. */
import { assert, describe, it } from "@effect/vitest"
import { WaiterQueue } from "../src/internal/connection/WaiterQueue.ts"

describe("WaiterQueue", () => {
  it("keeps FIFO order while it grows, and shrinks back to its initial size once a big queue has drained", () => {
    const queue = new WaiterQueue<number>(64)
    for (let i = 0; i < 200_000; i++) queue.push(i)
    assert.isAtLeast(queue.capacity, 200_000)
    for (let i = 0; i < 200_000; i++) assert.strictEqual(queue.shift(), i)
    assert.strictEqual(queue.length, 0)
    assert.strictEqual(queue.capacity, 64, "the 2 MB of slots of a 200k pipeline are not kept")
    // Still a working queue afterwards, across a wrap-around.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 50; i++) queue.push(i)
      for (let i = 0; i < 50; i++) assert.strictEqual(queue.shift(), i)
    }
  })

  it("a small queue keeps its slots (no reallocation per drain on the hot path)", () => {
    const queue = new WaiterQueue<number>(64)
    for (let i = 0; i < 1000; i++) queue.push(i)
    while (queue.length > 0) queue.shift()
    assert.strictEqual(queue.capacity, 1024)
  })
})
