/**
 * The cluster client in front of a node that stops answering, over the scripted transport and the live topology,
 * on the real clock with a 200 ms node timeout: commands written there before it hung fail as outcome unknown when
 * its connection is reset, commands issued afterwards are held unsent and go to the promoted replica once the
 * topology shows it (or fail at once with `NodeUnresponsiveError`, or with a not-written `TimeoutError` naming the
 * node when their deadline passes first).
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis, type RedisError } from "@effect-redis/client"
import { ClusterTopology, RedisCluster, type RedisClusterOptions, type TopologySpec } from "@effect-redis/cluster"
import { NodePool } from "@effect-redis/cluster/Transport"
import { type ScriptedRequest, ScriptedTransport, type ScriptedTransportService } from "@effect-redis/testkit"
import { Effect, Fiber, Layer } from "effect"
import { A, A1, expectTag } from "./support/scripted.ts"

const before: TopologySpec = { shards: [{ primary: A, replicas: [A1], slots: [[0, 16383]] }] }
const after: TopologySpec = { shards: [{ primary: A1, replicas: [A], slots: [[0, 16383]] }] }

/** A hangs (answers nothing, PING on a new connection included) once `state.hung`; A1 is promoted once `state.promoted`. */
const world = () => {
  const state = { hung: false, promoted: false }
  const transport = ScriptedTransport.make((r: ScriptedRequest) => {
    if (r.address === A && state.hung) return ScriptedTransport.noReply
    if (r.args[0] === "CLUSTER" && r.args[1] === "SHARDS") return ScriptedTransport.clusterShards(state.promoted ? after : before)
    return r.args[0] === "INCR" ? 1 : "OK"
  })
  return { state, transport }
}

const live = (transport: ScriptedTransportService, options: RedisClusterOptions = {}) =>
  RedisCluster.layerWith({ commandTimeout: "5 seconds", ...options }).pipe(
    Layer.provideMerge(ClusterTopology.layer({ startupNodes: [{ host: "127.0.0.1", port: 7000 }], refreshMinInterval: "20 millis", refreshInterval: Infinity, readNodeTimeout: false })),
    Layer.provideMerge(NodePool.layer({ nodeTimeout: "200 millis" })),
    Layer.provide(transport.layer)
  )

const incrsTo = (transport: ScriptedTransportService, address: string) => transport.sent({ address, command: "INCR" }).length

describe("a hung node", () => {
  it.live("written commands fail as outcome unknown at the reset; later ones are held unsent and go to the promoted replica", () =>
    Effect.gen(function*() {
      const { state, transport } = world()
      yield* Effect.gen(function*() {
        state.hung = true
        const written = yield* Effect.forkChild(Effect.flip(Redis.incr("k")))
        // Suspected after 100 ms of silence: from then on commands are held.
        yield* Effect.sleep("180 millis")
        const held = yield* Effect.forkChild(Redis.incr("k"))
        yield* Effect.sleep("300 millis")
        assert.strictEqual(incrsTo(transport, A), 1, "nothing more is written to the silent node")
        // Reset once silent for the whole node timeout, its probe having failed.
        const lost = expectTag(yield* Fiber.join(written), "ConnectionError")
        assert.isTrue(lost.written)
        assert.include(lost.reason, "outcome unknown")
        state.promoted = true
        const promotedAt = Date.now()
        assert.strictEqual(yield* Fiber.join(held), 1)
        // Refreshes run every tick while the node is silent and never wait on it (it is asked last, alone): well
        // under the 2 s refresh timeout a round asking it would take.
        assert.isBelow(Date.now() - promotedAt, 1_000)
        assert.strictEqual(incrsTo(transport, A), 1)
        assert.strictEqual(incrsTo(transport, A1), 1)
      }).pipe(Effect.provide(live(transport)))
    }), 10_000)

  it.live("failOnUnresponsiveNode: once the probe failed, commands fail at once with NodeUnresponsiveError naming the node", () =>
    Effect.gen(function*() {
      const { state, transport } = world()
      yield* Effect.gen(function*() {
        state.hung = true
        yield* Effect.forkChild(Effect.ignore(Redis.incr("k")))
        yield* Effect.sleep("500 millis")
        const started = Date.now()
        const refused = expectTag(yield* Effect.flip(Redis.incr("k")), "NodeUnresponsiveError")
        assert.isBelow(Date.now() - started, 50)
        assert.strictEqual(refused.address, A)
        assert.isFalse(refused.written)
        assert.isAtLeast(refused.silentForMs, 100)
        assert.include(refused.message, A)
        assert.strictEqual(incrsTo(transport, A), 1)
      }).pipe(Effect.provide(live(transport, { failOnUnresponsiveNode: true })))
    }), 10_000)

  it.live("a held command whose deadline passes fails with a not-written TimeoutError naming the node", () =>
    Effect.gen(function*() {
      const { state, transport } = world()
      yield* Effect.gen(function*() {
        state.hung = true
        yield* Effect.forkChild(Effect.ignore(Redis.incr("k")))
        yield* Effect.sleep("150 millis")
        const error: RedisError = yield* Effect.flip(Redis.incr("k"))
        const timeout = expectTag(error, "TimeoutError")
        assert.strictEqual(timeout.address, A)
        assert.isFalse(timeout.written)
        assert.include(timeout.message, `INCR to ${A} timed out`)
      }).pipe(Effect.provide(live(transport, { commandTimeout: "250 millis" })))
    }), 10_000)

  it.live("a node that answers again releases its held commands to it", () =>
    Effect.gen(function*() {
      const { state, transport } = world()
      yield* Effect.gen(function*() {
        state.hung = true
        const first = yield* Effect.forkChild(Effect.result(Redis.incr("k")))
        yield* Effect.sleep("150 millis")
        const held = yield* Effect.forkChild(Redis.incr("k"))
        yield* Effect.sleep("50 millis")
        state.hung = false
        // The next probe answers: the node is trusted again and the held command is written to it.
        assert.strictEqual(yield* Fiber.join(held), 1)
        yield* Fiber.join(first)
        assert.strictEqual(incrsTo(transport, A), 2)
      }).pipe(Effect.provide(live(transport)))
    }), 10_000)
})
