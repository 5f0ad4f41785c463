/**
 * Which server the test kit runs: Redis or Valkey, and its version, read from the binary itself
 * (`redis-server --version`) so a test can state a version-specific expectation up front, e.g.
 *
 * ```ts
 * const server = serverVersion()
 * it.live("HGETEX", () => ...,)                     // plain test
 * it.runIf(server.atLeast("redis", "8.0"))(...)     // only where the command exists
 * assert.strictEqual(health, server.flavour === "valkey" || server.atLeast("redis", "7.2") ? "fail" : "failed")
 * ```
 *
 * @since 0.2.0
 */
import { execFileSync } from "node:child_process"
import { defaultRedisServerExecutable } from "./RedisServerProcess.ts"

/**
 * A server's flavour and version.
 *
 * @since 0.2.0
 */
export interface ServerVersion {
  /** `redis` or `valkey`. */
  readonly flavour: "redis" | "valkey"
  /** `8.0.2`. */
  readonly version: string
  readonly major: number
  readonly minor: number
  readonly patch: number
  /** `Redis 8.0.2`, `Valkey 8.1.1`: for test names and failure reports. */
  readonly label: string
  /**
   * Whether this is `flavour` at `version` (`"7.4"`, `"8.0.2"`) or newer. A different flavour is never "at
   * least": Valkey forked from Redis 7.2.4 and the two number their releases independently.
   */
  readonly atLeast: (flavour: "redis" | "valkey", version: string) => boolean
}

const numbers = (version: string): [number, number, number] => {
  const [major = 0, minor = 0, patch = 0] = version.split(".").map((part) => Number.parseInt(part, 10) || 0)
  return [major, minor, patch]
}

/**
 * Reads `redis-server --version` / `valkey-server --version` output
 * (`Redis server v=8.0.2 sha=...`, `Valkey server v=8.1.1 ...`).
 *
 * @since 0.2.0
 */
export const parseServerVersion = (text: string): ServerVersion | undefined => {
  const match = /^(Redis|Valkey) server v=(\d+(?:\.\d+)*)/m.exec(text)
  if (match === null) return undefined
  const flavour = match[1] === "Valkey" ? "valkey" : "redis"
  const version = match[2]!
  const [major, minor, patch] = numbers(version)
  return {
    flavour,
    version,
    major,
    minor,
    patch,
    label: `${match[1]} ${version}`,
    atLeast: (wanted, atLeast) => {
      if (wanted !== flavour) return false
      const [a, b, c] = numbers(atLeast)
      return major !== a ? major > a : minor !== b ? minor > b : patch >= c
    }
  }
}

const cache = new Map<string, ServerVersion>()

/**
 * The version of the server binary the test kit would start (`executable`, default `$REDIS_SERVER` or
 * `redis-server` on PATH). Throws when the binary is missing or does not say a version: a test run cannot go on
 * without knowing what it tests.
 *
 * @since 0.2.0
 */
export const serverVersion = (executable: string = defaultRedisServerExecutable()): ServerVersion => {
  const known = cache.get(executable)
  if (known !== undefined) return known
  const output = execFileSync(executable, ["--version"], { encoding: "utf8", timeout: 10_000 })
  const parsed = parseServerVersion(output)
  if (parsed === undefined) throw new Error(`${executable} --version said ${JSON.stringify(output.trim())}: not a Redis or Valkey server`)
  cache.set(executable, parsed)
  return parsed
}
