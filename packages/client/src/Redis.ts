/**
 * The command builders: `Redis.get`, `Redis.set`, `Redis.hset`... Each returns a {@link Command}, a pure value
 * that is also an Effect requiring `RedisClient`. Builders are named after the Redis command in lower camel case;
 * variants that change the reply type get a suffix (`getBytes`, `hrandfieldWithValues`, `lcsLength`).
 *
 * @module
 */
export * from "./commands/acl.ts"
export * from "./commands/bitmaps.ts"
export * from "./commands/call.ts"
export * from "./commands/clients.ts"
export * from "./commands/clusterManagement.ts"
export * from "./commands/clusterSlotStats.ts"
export * from "./commands/commandInfo.ts"
export * from "./commands/commandLog.ts"
export * from "./commands/config.ts"
export * from "./commands/connection.ts"
export * from "./commands/diagnostics.ts"
export * from "./commands/functions.ts"
export * from "./commands/geo.ts"
export * from "./commands/hashes.ts"
export * from "./commands/hashFieldExpiry.ts"
export * from "./commands/hyperloglog.ts"
export * from "./commands/keys.ts"
export * from "./commands/lists.ts"
export * from "./commands/pubsub.ts"
export * from "./commands/scripting.ts"
export * from "./commands/server.ts"
export * from "./commands/sets.ts"
export * from "./commands/sortedSets.ts"
export * from "./commands/streams.ts"
export * from "./commands/strings.ts"
export * from "./commands/vectorSets.ts"
export * from "./commands/waitaof.ts"
export type { ExpirationOptions, ExpireCondition } from "./commands/expiration.ts"
export type { Pairs, RedisKey, RedisValue } from "./commands/types.ts"
