/**
 * Vitest global setup: one shared local Redis Cluster (3 primaries, 1 replica each) and one standalone
 * server for the whole run, started once in the main vitest process and handed to tests with `inject`:
 *
 * ```ts
 * import { inject } from "vitest"
 * const startupNodes = inject("clusterNodes")  // [{ host, port }, ...]
 * const url = inject("standaloneUrl")          // "redis://127.0.0.1:port"
 * ```
 *
 * Tests that break servers (kill, failover, migrate) must start their own with `LocalCluster.make` /
 * `LocalServer.make`: these shared ones are for reading and writing only.
 */
import { Effect, Exit, Scope } from "effect"
import type { TestProject } from "vitest/node"
import { LocalCluster, LocalServer, type NodeAddress } from "../packages/testkit/src/index.ts"

declare module "vitest" {
  export interface ProvidedContext {
    /** The shared cluster's nodes, for a client's `startupNodes`. */
    clusterNodes: ReadonlyArray<NodeAddress>
    /** `redis://127.0.0.1:p1,127.0.0.1:p2,...` of the shared cluster. */
    clusterUrl: string
    /** The shared standalone server. */
    standalone: NodeAddress
    /** `redis://127.0.0.1:port` of the shared standalone server. */
    standaloneUrl: string
  }
}

/** Starts the shared servers; the returned teardown kills them and removes their folders. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const scope = await Effect.runPromise(Scope.make())
  const started = Date.now()
  try {
    const [cluster, standalone] = await Effect.runPromise(
      Effect.all([LocalCluster.make(), LocalServer.make()], { concurrency: 2 }).pipe(Scope.provide(scope))
    )
    project.provide("clusterNodes", cluster.startupNodes)
    project.provide("clusterUrl", cluster.url)
    project.provide("standalone", { host: standalone.host, port: standalone.port })
    project.provide("standaloneUrl", standalone.url)
    console.log(
      `[testkit] ${cluster.serverVersion.label}: shared cluster ${cluster.url} formed in ${cluster.formationMs} ms; ` +
        `standalone ${standalone.url}; ready after ${Date.now() - started} ms`
    )
  } catch (error) {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    throw error
  }
  return async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
