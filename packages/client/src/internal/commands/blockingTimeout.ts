import type { RespArg } from "@effect-redis/resp"
import { type CommandLine, InvalidOptions } from "../../Command.ts"
import { keyList, type RedisKey } from "./types.ts"

// The timeouts of blocking commands that count in seconds (BLPOP, BZPOPMIN, BLMOVE...): the builder-side check, the
// spec's `blockingTimeout` that turns the argument sent into the milliseconds the client must wait for, and the line
// of the blocking pops that take their timeout after the keys.

/** A blocking timeout in seconds: finite and >= 0 (fractions allowed; 0 blocks until data arrives). */
export const checkTimeout = (seconds: number): InvalidOptions | undefined =>
  typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0
    ? undefined
    : new InvalidOptions(`timeout must be a finite number of seconds >= 0, got ${String(seconds)}`)

/**
 * `blockingTimeout` of a command whose timeout (seconds) is at `index` (negative: from the end): milliseconds,
 * rounded up as the server does, so a tiny timeout never becomes 0 ("forever").
 */
export const timeoutAt = (index: number) => (args: ReadonlyArray<RespArg>): number | undefined => {
  const arg = args[index < 0 ? args.length + index : index]
  const seconds = typeof arg === "number" ? arg : typeof arg === "string" ? Number(arg) : NaN
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined
}

/**
 * `name key [key ...] timeout` (BLPOP, BRPOP, BZPOPMIN, BZPOPMAX): one key or a non-empty array, then the timeout
 * (see {@link checkTimeout}); the spec reads it back with `timeoutAt(-1)`.
 */
export const keysThenTimeout = (name: string, keys: RedisKey | ReadonlyArray<RedisKey>, timeout: number): CommandLine => {
  const line = keyList(name, keys)
  if (line instanceof InvalidOptions) return line
  return checkTimeout(timeout) ?? [...line, timeout]
}
