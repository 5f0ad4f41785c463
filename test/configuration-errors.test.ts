/**
 * Configuration mistakes are `ConfigurationError`s raised when the layer is built, before any connection: the
 * standalone and the cluster layer, with URLs and options pointing at a listener that counts connections (none
 * may arrive) and at the shared servers (a mistake must not be reported as a connection or topology failure).
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigurationError, Redis, RedisNode } from "@effect-redis/client"
import { RedisCluster, type RedisClusterOptions } from "@effect-redis/cluster"
import { Config, ConfigProvider, Effect, Layer, Redacted, Schedule } from "effect"
import * as net from "node:net"
import { inject } from "vitest"

/** A TCP listener that accepts and counts connections (and never answers): proof that nothing was dialled. */
const countingListener = Effect.acquireRelease(
  Effect.callback<{ readonly port: number; readonly accepted: () => number; readonly close: () => void }>((resume) => {
    let accepted = 0
    const sockets = new Set<net.Socket>()
    const server = net.createServer((socket) => {
      accepted++
      sockets.add(socket)
      socket.on("error", () => {})
    })
    const close = () => {
      for (const socket of sockets) socket.destroy()
      server.close()
    }
    server.listen(0, "127.0.0.1", () =>
      resume(Effect.succeed({ port: (server.address() as net.AddressInfo).port, accepted: () => accepted, close })))
  }),
  ({ close }) => Effect.sync(close)
)

const buildError = <A, E>(layer: Layer.Layer<A, E>) => Effect.flip(Layer.build(layer))

const expectConfigurationError = (error: unknown, field: string, reason: RegExp): ConfigurationError => {
  assert.instanceOf(error, ConfigurationError, `expected a ConfigurationError on ${field}, got ${String(error)}`)
  const typed = error as ConfigurationError
  assert.strictEqual(typed.field, field)
  assert.match(typed.reason, reason)
  assert.include(typed.message, field)
  return typed
}

describe("standalone layer: configuration mistakes", () => {
  it.live("fail with ConfigurationError naming the field and value, and open no connection", () =>
    Effect.gen(function*() {
      const listener = yield* countingListener
      const at = `127.0.0.1:${listener.port}`
      const cases: ReadonlyArray<readonly [RedisNode.RedisNodeOptions, string, RegExp]> = [
        [{ url: `redis://${at}/notadb` }, "url", /database "notadb" in the path is not a database index/],
        [{ url: `http://${at}` }, "url", /unsupported scheme "http:"/],
        [{ url: "redis://127.0.0.1:70000" }, "url", /port "70000"/],
        [{ url: `redis://${at}?db=1` }, "url", /unknown option "db"/],
        [{ url: `redis://${at},127.0.0.1:1` }, "url", /names 2 hosts/],
        [{ host: "127.0.0.1", port: 0 }, "port", /from 1 to 65535/],
        [{ host: "", port: listener.port }, "host", /non-empty/],
        [{ url: `redis://${at}`, database: -1 }, "database", /integer at least 0/],
        [{ url: `redis://${at}`, protocol: 4 as 3 }, "protocol", /2 \(RESP2\) or 3/],
        [{ url: `redis://${at}`, connectTimeout: "soon" as "1 second" }, "connectTimeout", /duration/],
        [{ url: `redis://${at}`, clientName: "two words" }, "clientName", /without spaces/],
        [{ url: `redis://${at}`, username: "app" }, "username", /with a password/],
        [{ url: `redis://${at}`, ...{ comandTimeout: "1 second" } }, "comandTimeout", /unknown option; did you mean commandTimeout\?/],
        [{ url: `redis://${at}`, ...{ readFrom: "replica" } }, "readFrom", /option of the cluster client/],
        // Conflicting options: given twice, differently.
        [{ url: `redis://${at}`, port: listener.port + 1 }, "port", /conflicts with the url/],
        [{ url: `redis://${at}/2`, database: 3 }, "database", /conflicts with the url, whose path selects database 2/],
        [{ url: `rediss://${at}`, tls: false }, "tls", /rediss:\/\/ asks for TLS/],
        [{ url: `redis://app@${at}`, username: "other", password: Redacted.make("x") }, "username", /conflicts with the url/]
      ]
      for (const [options, field, reason] of cases) {
        expectConfigurationError(yield* buildError(RedisNode.layer(options)), field, reason)
        // RedisNode.make reports the same.
        expectConfigurationError(yield* Effect.flip(Effect.scoped(RedisNode.make(options))), field, reason)
      }
      assert.strictEqual(listener.accepted(), 0)
      // The listener does count: a valid configuration dials it (and times out, as it never answers).
      const dialled = yield* buildError(RedisNode.layer({ url: `redis://${at}`, connectTimeout: "200 millis" }))
      assert.strictEqual(dialled._tag, "TimeoutError")
      assert.strictEqual(listener.accepted(), 1)
    }))

  it.live("secrets are redacted: a password in the URL or the options never shows", () =>
    Effect.gen(function*() {
      const listener = yield* countingListener
      const inUrl = expectConfigurationError(
        yield* buildError(RedisNode.layer({ url: `redis://app:hunter2@127.0.0.1:${listener.port}/x` })),
        "url",
        /database "x"/
      )
      assert.strictEqual(inUrl.value, `"redis://app:***@127.0.0.1:${listener.port}/x"`)
      const conflicting = expectConfigurationError(
        yield* buildError(RedisNode.layer({ url: `redis://app:hunter2@127.0.0.1:${listener.port}`, password: Redacted.make("hunter3") })),
        "password",
        /conflicts with the password in the url/
      )
      assert.strictEqual(conflicting.value, "<redacted>")
      const plain = expectConfigurationError(
        yield* buildError(RedisNode.layer({ port: listener.port, password: "hunter2" as unknown as Redacted.Redacted<string> })),
        "password",
        /must be a Redacted/
      )
      for (const error of [inUrl, conflicting, plain]) {
        assert.notInclude(error.message, "hunter2")
        assert.notInclude(error.message, "hunter3")
      }
      assert.strictEqual(listener.accepted(), 0)
    }))

  it.live("the shared server: a malformed URL is a ConfigurationError, not `ConnectionError: connection to ? failed`", () =>
    Effect.gen(function*() {
      const url = inject("standaloneUrl")
      expectConfigurationError(yield* buildError(RedisNode.layer({ url: `${url}/notadb` })), "url", /database "notadb"/)
      // The same URL with a database index works.
      assert.strictEqual(yield* Redis.ping().pipe(Effect.provide(RedisNode.layer({ url: `${url}/0` }))), "PONG")
    }))
})

describe("cluster layer: configuration mistakes", () => {
  const startupNodes = inject("clusterNodes")
  const clusterUrl = inject("clusterUrl")

  it.live("fail with ConfigurationError naming the field and value, and open no connection", () =>
    Effect.gen(function*() {
      const listener = yield* countingListener
      const at = `127.0.0.1:${listener.port}`
      const node = [{ host: "127.0.0.1", port: listener.port }]
      const cases: ReadonlyArray<readonly [RedisClusterOptions, string, RegExp]> = [
        [{ url: `redis://${at},127.0.0.1:notaport` }, "url", /port "notaport"/],
        [{ url: `redis://${at}/notadb` }, "url", /database "notadb"/],
        [{ url: `redis://${at}/1` }, "url", /selects database 1, but a cluster has a single database/],
        [{ url: `redis:/${at}` }, "url", /not a URL/],
        [{}, "startupNodes", /no startup nodes/],
        [{ startupNodes: [] }, "startupNodes", /no startup nodes/],
        [{ startupNodes: [{ host: "127.0.0.1", port: 0 }] }, "startupNodes[0].port", /from 1 to 65535/],
        [{ startupNodes: [{ port: listener.port } as never] }, "startupNodes[0].host", /missing/],
        [{ startupNodes: node, url: "redis://127.0.0.1:1" }, "startupNodes", /conflicts with the hosts of the url/],
        [{ startupNodes: node, ...{ database: 1 } }, "database", /a cluster has a single database/],
        [{ startupNodes: node, ...{ readFom: "replica" } }, "readFom", /did you mean readFrom\?/],
        [{ startupNodes: node, readFrom: "replicas" as "replica" }, "readFrom", /"primary", "replica", "preferReplica", "any"/],
        [{ startupNodes: node, maxRedirections: -1 }, "maxRedirections", /at least 0/],
        [{ startupNodes: node, refreshInterval: "often" as "1 second" }, "refreshInterval", /duration/],
        [{ startupNodes: node, retry: { ...{ connect: Schedule.recurs(1) } } as never }, "retry.connect", /did you mean connection\?/],
        [{ startupNodes: node, retry: { connection: 5 as never } }, "retry.connection", /must be a Schedule/],
        [{ startupNodes: node, commandTimeout: -1 }, "commandTimeout", /negative/],
        [{ url: `rediss://${at}`, tls: false }, "tls", /rediss:\/\/ asks for TLS/]
      ]
      for (const [options, field, reason] of cases) {
        expectConfigurationError(yield* buildError(RedisCluster.layer(options)), field, reason)
      }
      assert.strictEqual(listener.accepted(), 0)
    }))

  it.live("the shared cluster: a malformed URL or option is a ConfigurationError, not a TopologyError", () =>
    Effect.gen(function*() {
      const badPort = clusterUrl.replace(/:(\d+),/, ":$1x,")
      const error = expectConfigurationError(yield* buildError(RedisCluster.layerUrl(badPort)), "url", /port "\d+x"/)
      assert.notStrictEqual((error as { readonly _tag: string })._tag, "TopologyError")
      expectConfigurationError(yield* buildError(RedisCluster.layer({ startupNodes, protocol: 1 as 2 })), "protocol", /2 \(RESP2\) or 3/)
      // Through Config, the URL's mistakes are reported the same way.
      const fromConfig = yield* buildError(
        RedisCluster.layerConfig({ url: Config.String("REDIS_CLUSTER_URL") }).pipe(
          Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({ REDIS_CLUSTER_URL: `${clusterUrl}/7` })))
        )
      )
      expectConfigurationError(fromConfig, "url", /selects database 7/)
      // The URL with /0 is fine: the one database of a cluster.
      assert.strictEqual(yield* Redis.ping().pipe(Effect.provide(RedisCluster.layerUrl(`${clusterUrl}/0`))), "PONG")
    }))
})
