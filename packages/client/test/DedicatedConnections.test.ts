/**
 * The dedicated-connection pool on its own, with fake connections: reuse after a reply, closing otherwise, the
 * `maxInUse` line (first come, first served; an interrupted waiter leaves it), and closing everything.
 */
import { assert, describe, it } from "@effect/vitest"
import { type DedicatedConnection, DedicatedConnections } from "@effect-redis/client/Connection"
import { Effect, Exit, Fiber } from "effect"

class FakeConnection implements DedicatedConnection {
  static opened = 0
  readonly id = ++FakeConnection.opened
  isReady = true
  inFlight = 0
  private listeners: Array<(reason: string) => void> = []
  onClose(listener: (reason: string) => void) {
    this.listeners.push(listener)
  }
  close() {
    return Effect.sync(() => {
      this.isReady = false
      for (const listener of this.listeners.splice(0)) listener("closed")
    })
  }
  resetReason: string | undefined = undefined
  reset(reason: string) {
    this.resetReason = reason
    this.isReady = false
    for (const listener of this.listeners.splice(0)) listener(reason)
  }
}

const connect = Effect.sync(() => new FakeConnection())
const closedError = () => "closed" as const

describe("DedicatedConnections", () => {
  it.effect("a connection given back after its reply is reused; one given back early is closed", () =>
    Effect.gen(function*() {
      const pool = new DedicatedConnections<FakeConnection>()
      const first = yield* pool.lease("n", connect, closedError)
      pool.release(first, true)
      const again = yield* pool.lease("n", connect, closedError)
      assert.strictEqual(again, first)
      pool.release(again, false)
      yield* Effect.yieldNow
      assert.isFalse(first.isReady)
      const fresh = yield* pool.lease("n", connect, closedError)
      assert.notStrictEqual(fresh, first)
    }))

  it.effect("maxInUse: further leases wait in line, an interrupted waiter leaves it, closeAll fails the rest", () =>
    Effect.gen(function*() {
      const pool = new DedicatedConnections<FakeConnection>({ maxInUse: 1 })
      const held = yield* pool.lease("n", connect, closedError)
      const other = yield* pool.lease("m", connect, closedError) // another node has its own limit
      const interrupted = yield* Effect.forkChild(pool.lease("n", connect, closedError))
      const waiting = yield* Effect.forkChild(pool.lease("n", connect, closedError))
      yield* Effect.yieldNow
      assert.isUndefined(interrupted.pollUnsafe())
      yield* Fiber.interrupt(interrupted)
      pool.release(held, true)
      // The interrupted one left the line: the next waiter gets the connection given back.
      assert.strictEqual(yield* Fiber.join(waiting), held)
      const last = yield* Effect.forkChild(Effect.exit(pool.lease("n", connect, closedError)))
      yield* Effect.yieldNow
      pool.closeAll()
      assert.deepStrictEqual(yield* Fiber.join(last), Exit.fail("closed" as const))
      yield* Effect.yieldNow
      assert.isFalse(held.isReady)
      assert.isFalse(other.isReady)
    }))

  it.effect("resetNode resets the leased connections of that node and drops its idle ones; other nodes keep theirs", () =>
    Effect.gen(function*() {
      const pool = new DedicatedConnections<FakeConnection>()
      const leased = yield* pool.lease("n", connect, closedError)
      const idle = yield* pool.lease("n", connect, closedError)
      pool.release(idle, true)
      const elsewhere = yield* pool.lease("m", connect, closedError)
      pool.resetNode("n", "n stopped answering")
      assert.strictEqual(leased.resetReason, "n stopped answering")
      assert.strictEqual(idle.resetReason, "n stopped answering")
      assert.isUndefined(elsewhere.resetReason)
      // Nothing idle is left for n: the next lease opens a new connection.
      const next = yield* pool.lease("n", connect, closedError)
      assert.notStrictEqual(next, idle)
    }))
})
