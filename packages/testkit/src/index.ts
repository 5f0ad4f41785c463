/**
 * `@effect-redis/testkit`: real local Redis servers and clusters for tests.
 *
 * - {@link LocalCluster}: a formed Redis Cluster of local processes, with kill / stop / pause / restart,
 *   failover and step-by-step slot migration.
 * - {@link LocalServer}: a standalone server.
 * - {@link RedisServerProcess}: one redis-server child process, the building block of both.
 * - {@link AdminConnection}: the kit's own minimal RESP2 connection, independent of the client under test.
 * - {@link ScriptedTransport}: an in-memory cluster transport whose replies a script decides, for unit tests of
 *   routing, redirects and retries without a server.
 *
 * Every process dies with the Node process (scope close, exit, SIGINT/SIGTERM, or a watchdog if Node is
 * killed outright); ports are picked free at random, so parallel test runs never collide.
 *
 * @since 0.1.0
 */
export * from "./AdminConnection.ts"
export * from "./ClusterNode.ts"
export * from "./ClusterOperationError.ts"
export * from "./LocalCluster.ts"
export * from "./LocalServer.ts"
export * from "./RedisServerConfig.ts"
export * from "./RedisServerProcess.ts"
export * from "./ScriptedTransport.ts"
export * from "./SlotRange.ts"
export * from "./TlsCertificates.ts"
export * from "./WaitTimeoutError.ts"
export * from "./ServerVersion.ts"
