/**
 * The shared servers every command family is tested against: the cluster and the standalone server that
 * test/global-setup.ts starts, each under RESP2 and RESP3. Running the same assertions on all four shows that a
 * builder is routed right on a cluster and that both protocols' replies decode to the same value.
 *
 * ```ts
 * const prefix = runPrefix("lists")
 * describe.each(targets)("lists on $name", ({ name, layer }) => {
 *   const k = keysOf(prefix, name)
 *   it.live("...", () => Effect.gen(function*() { ... }).pipe(Effect.provide(layer)))
 * })
 * ```
 */
import { type RedisClient, RedisNode } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import type { Layer } from "effect"
import { inject } from "vitest"

/** One server and protocol to run a family's tests against. */
export interface Target {
  /** `cluster RESP2`, `standalone RESP3`...: names the test block and keeps each target's keys apart. */
  readonly name: string
  readonly protocol: 2 | 3
  /** Whether this is the cluster (its layer then provides `RedisCluster` too). */
  readonly cluster: boolean
  /** A client of this target. */
  readonly layer: Layer.Layer<RedisClient, unknown>
  /** A client of this target whose connections are named `clientName` (CLIENT SETNAME when they connect). */
  readonly withClientName: (clientName: string) => Layer.Layer<RedisClient, unknown>
}

/** The shared cluster and the shared standalone server, under RESP2 then RESP3. */
export const targets: ReadonlyArray<Target> = ([2, 3] as const).flatMap((protocol): ReadonlyArray<Target> => {
  const cluster = (clientName?: string) => RedisCluster.layer({ startupNodes: inject("clusterNodes"), protocol, clientName })
  const standalone = (clientName?: string) => RedisNode.layer({ url: inject("standaloneUrl"), protocol, clientName })
  return [
    { name: `cluster RESP${protocol}`, protocol, cluster: true, layer: cluster(), withClientName: cluster },
    { name: `standalone RESP${protocol}`, protocol, cluster: false, layer: standalone(), withClientName: standalone }
  ]
})

/** A prefix for a test file's keys, unique to this run (`<family>:<pid>:<start ms>`): runs may share the servers. */
export const runPrefix = (family: string): string => `${family}:${process.pid}:${Date.now()}`

/**
 * The key maker of one target's tests: `k("x")` is `<prefix>:<target>:{t}x`. The one hash tag `{t}` puts all of a
 * target's keys in one slot, so multi-key commands work on the cluster.
 */
export const keysOf = (prefix: string, target: string) => (key: string): string => `${prefix}:${target}:{t}${key}`
