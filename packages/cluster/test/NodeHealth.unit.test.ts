/**
 * The hung-node check on its own, with fake connections and a hand-moved clock: when a node is suspected, probed,
 * declared unresponsive and reset; that a busy node (bytes arriving) or one whose probe answers is left alone; that
 * a late tick decides nothing; and what happens to held commands.
 */
import { assert, describe, it } from "@effect/vitest"
import { type HeldCommand, NodeHealth, silenceTimings } from "../src/internal/transport/NodeHealth.ts"
import type { NodeTransport } from "../src/internal/transport/ClusterTransport.ts"

const X = "127.0.0.1:7000"
const Y = "127.0.0.1:7001"

/** A connection whose silence the test sets. */
const fakeConnection = (address: string) => {
  const conn = {
    address,
    silentSince: undefined as number | undefined,
    silentForMs: (now: number) => (conn.silentSince === undefined ? 0 : now - conn.silentSince)
  }
  return conn
}

const setup = (nodeTimeoutMs = 2_000) => {
  const connections = new Map([[X, fakeConnection(X)], [Y, fakeConnection(Y)]])
  const refreshes: Array<string> = []
  const resets: Array<string> = []
  const health = new NodeHealth({
    connections: () => [...connections].map(([address, conn]) => [address, conn as unknown as NodeTransport] as const),
    partsOf: (address) => ({ host: "127.0.0.1", port: Number(address.slice(address.lastIndexOf(":") + 1)) }),
    requestRefresh: (address) => refreshes.push(address),
    reset: (address, reason) => {
      resets.push(`${address}: ${reason}`)
      connections.delete(address)
    }
  }, nodeTimeoutMs)
  let now = 1_000_000
  const { tickMs } = health.timings
  /** Ticks every `tickMs` until `ms` have passed; returns the addresses probed. */
  const advance = (ms: number): Array<string> => {
    const probed: Array<string> = []
    for (const end = now + ms; now < end;) {
      now += tickMs
      for (const node of health.tick(now)) probed.push(`${node.host}:${node.port}`)
    }
    return probed
  }
  advance(tickMs) // the first tick only sets the pace
  return { health, connections, refreshes, resets, advance, now: () => now }
}

const heldCommand = (deadline = Infinity) => {
  const command = {
    deadline,
    cancelled: false,
    resumed: 0,
    expired: [] as Array<string>,
    resume: () => {
      command.resumed++
    },
    expire: (address: string) => {
      command.expired.push(address)
    }
  }
  return command satisfies HeldCommand
}

describe("NodeHealth", () => {
  it("derives its timings from the node timeout: suspect at half, probe within a quarter (250 ms..1 s)", () => {
    assert.deepStrictEqual(silenceTimings(2_000), { nodeTimeoutMs: 2_000, suspectAfterMs: 1_000, probeTimeoutMs: 500, tickMs: 100 })
    assert.deepStrictEqual(silenceTimings(15_000), { nodeTimeoutMs: 15_000, suspectAfterMs: 7_500, probeTimeoutMs: 1_000, tickMs: 100 })
    assert.deepStrictEqual(silenceTimings(200), { nodeTimeoutMs: 200, suspectAfterMs: 100, probeTimeoutMs: 250, tickMs: 10 })
  })

  it("a node silent for half the node timeout is suspected: held, refreshed at every tick, probed once", () => {
    const { health, connections, refreshes, advance } = setup()
    connections.get(X)!.silentSince = 1_000_000
    assert.deepStrictEqual(advance(800), [])
    assert.isFalse(health.held.has(X))
    const probed = advance(300)
    assert.deepStrictEqual(probed, [X])
    assert.isTrue(health.held.has(X))
    assert.isFalse(health.held.has(Y))
    const before = refreshes.length
    assert.isAtLeast(before, 1)
    advance(300) // probe pending: no second probe, but a refresh request at each tick
    assert.strictEqual(refreshes.length - before, 3)
    assert.isTrue(refreshes.every((address) => address === X))
  })

  it("a failed probe makes the node unresponsive; at the node timeout its connections are reset, once", () => {
    const { health, connections, resets, advance, now } = setup()
    connections.get(X)!.silentSince = 1_000_000
    advance(1_100)
    const held = heldCommand()
    health.hold(X, held)
    assert.isUndefined(health.unresponsiveFor(X, now()))
    health.probed(X, false, now())
    advance(100)
    assert.isAtLeast(health.unresponsiveFor(X, now())!, 1_100)
    assert.strictEqual(held.resumed, 1, "held commands see the new state (fail-fast fails them)")
    assert.deepStrictEqual(resets, [])
    advance(800)
    assert.strictEqual(resets.length, 1)
    assert.include(resets[0]!, "answered nothing for 2000 ms")
    assert.include(resets[0]!, "outcome unknown")
    advance(1_000)
    assert.strictEqual(resets.length, 1)
    assert.isTrue(health.held.has(X), "still held after the reset, until it answers or the topology moves")
  })

  it("a probe that answers clears the suspicion (a slow command, e.g. WAIT) and releases held commands", () => {
    const { health, connections, resets, advance, now } = setup()
    connections.get(X)!.silentSince = 1_000_000
    advance(1_100)
    const held = heldCommand()
    health.hold(X, held)
    health.probed(X, true, now())
    assert.isFalse(health.held.has(X))
    assert.strictEqual(held.resumed, 1)
    // Still silent, but trusted for another half node timeout: not suspected again at the next tick.
    assert.deepStrictEqual(advance(900), [])
    assert.deepStrictEqual(advance(200), [X])
    assert.deepStrictEqual(resets, [])
  })

  it("bytes arriving end the suspicion", () => {
    const { health, connections, advance } = setup()
    connections.get(X)!.silentSince = 1_000_000
    advance(1_100)
    const held = heldCommand()
    health.hold(X, held)
    connections.get(X)!.silentSince = undefined
    advance(100)
    assert.isFalse(health.held.has(X))
    assert.strictEqual(held.resumed, 1)
  })

  it("a late tick (the event loop was blocked) decides nothing", () => {
    const { health, connections, now } = setup()
    connections.get(X)!.silentSince = now()
    assert.deepStrictEqual(health.tick(now() + 5_000), [])
    assert.isFalse(health.held.has(X))
    assert.lengthOf(health.tick(now() + 5_100), 1)
  })

  it("a suspected primary that loses its slots is reset at once and held commands are routed again", () => {
    const { health, connections, resets, advance } = setup()
    health.topologyChanged(new Set([X, Y]))
    connections.get(X)!.silentSince = 1_000_000
    advance(1_100)
    const held = heldCommand()
    health.hold(X, held)
    health.topologyChanged(new Set([Y, "127.0.0.1:7100"]))
    assert.strictEqual(resets.length, 1)
    assert.include(resets[0]!, "promoted another primary")
    assert.strictEqual(held.resumed, 1)
  })

  it("a primary that is not silent is never reset by a topology change (a graceful failover answers MOVED)", () => {
    const { health, resets } = setup()
    health.topologyChanged(new Set([X, Y]))
    health.topologyChanged(new Set([Y, "127.0.0.1:7100"]))
    assert.deepStrictEqual(resets, [])
  })

  it("held commands whose deadline passes expire, naming the node; cancelled ones are dropped", () => {
    const { health, connections, advance, now } = setup()
    connections.get(X)!.silentSince = 1_000_000
    advance(1_100)
    const soon = heldCommand(now() + 150)
    const gone = heldCommand(now() + 150)
    gone.cancelled = true
    const later = heldCommand()
    health.hold(X, soon)
    health.hold(X, gone)
    health.hold(X, later)
    advance(200)
    assert.deepStrictEqual(soon.expired, [X])
    assert.deepStrictEqual(gone.expired, [])
    connections.get(X)!.silentSince = undefined
    advance(100)
    assert.strictEqual(later.resumed, 1)
    assert.strictEqual(gone.resumed, 0)
  })

  it("after the reset, a probe that answers again releases the node", () => {
    const { health, connections, advance, now } = setup()
    connections.get(X)!.silentSince = 1_000_000
    advance(1_100)
    health.probed(X, false, now())
    // Reset at the node timeout; the connection is gone, and the node is probed again now and then.
    assert.deepStrictEqual(advance(1_000), [X])
    assert.deepStrictEqual(advance(600), [], "one probe at a time")
    health.probed(X, false, now())
    assert.deepStrictEqual(advance(600), [X])
    health.probed(X, true, now())
    assert.isFalse(health.held.has(X))
  })

  it("a silent node that no longer serves slots is probed and refreshed for once per node timeout only", () => {
    const { health, connections, refreshes, advance, now } = setup()
    health.topologyChanged(new Set([X, Y]))
    connections.get(X)!.silentSince = 1_000_000
    advance(1_100)
    health.probed(X, false, now())
    health.topologyChanged(new Set([Y, "127.0.0.1:7100"]))
    const before = refreshes.length
    const probed = advance(4_000)
    assert.isAtMost(probed.length, 2)
    assert.isAtMost(refreshes.length - before, 2)
  })
})
