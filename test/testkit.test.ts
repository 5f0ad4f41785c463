/**
 * The shared servers of test/global-setup.ts are up and reachable through `inject`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { inject } from "vitest"
import { AdminConnection, type AdminEndpoint } from "../packages/testkit/src/index.ts"

const connect = (endpoint: AdminEndpoint): Effect.Effect<AdminConnection, never, Scope.Scope> =>
  Effect.acquireRelease(Effect.sync(() => new AdminConnection(endpoint)), (connection) => Effect.sync(() => connection.close()))

describe("shared test servers", () => {
  it.effect("the cluster: every startup node answers with cluster_state:ok and knows all six nodes", () =>
    Effect.gen(function*() {
      const nodes = inject("clusterNodes")
      assert.strictEqual(nodes.length, 6)
      assert.strictEqual(inject("clusterUrl"), `redis://${nodes.map((node) => `${node.host}:${node.port}`).join(",")}`)
      for (const node of nodes) {
        const info = String(yield* (yield* connect(node)).command(["CLUSTER", "INFO"]))
        assert.match(info, /cluster_state:ok/)
        assert.match(info, /cluster_known_nodes:6/)
      }
    }))

  it.effect("the standalone server answers and is not in cluster mode", () =>
    Effect.gen(function*() {
      const server = inject("standalone")
      assert.strictEqual(inject("standaloneUrl"), `redis://${server.host}:${server.port}`)
      const connection = yield* connect(server)
      assert.strictEqual(yield* connection.command(["PING"]), "PONG")
      assert.match(String(yield* connection.command(["INFO", "cluster"])), /cluster_enabled:0/)
    }))
})
