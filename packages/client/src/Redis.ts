/**
 * The command builders: `Redis.get`, `Redis.set`, `Redis.hset`... Each returns a {@link Command}, a pure value
 * that is also an Effect requiring `RedisClient`. Builders are named after the Redis command in lower camel case;
 * variants that change the reply type get a suffix (`getBytes`, `hrandfieldWithValues`, `lcsLength`).
 *
 * @module
 */
export * from "./commands/call.ts"
export * from "./commands/connection.ts"
export * from "./commands/hashes.ts"
export * from "./commands/keys.ts"
export * from "./commands/scripting.ts"
export * from "./commands/strings.ts"
export type { ExpirationOptions, ExpireCondition } from "./commands/expiration.ts"
export type { Pairs, RedisKey, RedisValue } from "./commands/types.ts"
