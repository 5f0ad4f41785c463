/**
 * The command builders: `Redis.get`, `Redis.set`, `Redis.hset`... Each returns a {@link Command}, a pure value
 * that is also an Effect requiring `RedisClient`. Builders are named after the Redis command in lower camel case;
 * variants that change the reply type get a suffix (`getBytes`, `hrandfieldWithValues`, `lcsLength`).
 *
 * @module
 */
export * from "./internal/commands/acl.ts"
export * from "./internal/commands/bitmaps.ts"
export * from "./internal/commands/call.ts"
export * from "./internal/commands/clients.ts"
export * from "./internal/commands/clusterManagement.ts"
export * from "./internal/commands/clusterSlotStats.ts"
export * from "./internal/commands/commandInfo.ts"
export * from "./internal/commands/commandLog.ts"
export * from "./internal/commands/config.ts"
export * from "./internal/commands/connection.ts"
export * from "./internal/commands/diagnostics.ts"
export * from "./internal/commands/functions.ts"
export * from "./internal/commands/geo.ts"
export * from "./internal/commands/hashes.ts"
export * from "./internal/commands/hashFieldExpiry.ts"
export * from "./internal/commands/hyperloglog.ts"
export * from "./internal/commands/keys.ts"
export * from "./internal/commands/lists.ts"
export * from "./internal/commands/pubsub.ts"
export * from "./internal/commands/scripting.ts"
export * from "./internal/commands/server.ts"
export * from "./internal/commands/sets.ts"
export * from "./internal/commands/sortedSets.ts"
export * from "./internal/commands/streams.ts"
export * from "./internal/commands/strings.ts"
export * from "./internal/commands/vectorSets.ts"
export * from "./internal/commands/waitaof.ts"
export { strictUtf8 } from "./internal/StrictUtf8.ts"
export type { ExpirationOptions, ExpireCondition } from "./internal/commands/expiration.ts"
export type { Pairs, RedisKey, RedisValue } from "./internal/commands/types.ts"
