/**
 * The MGET workload's keys and values, shared by the runner (which checks that every batch spans every primary)
 * and the measurement processes (which write the values, then read them back with MGET and check them).
 *
 * 1,000 keys `mget:0` ... `mget:999`, each with its own 32-byte value, read in 10 batches of 100 consecutive
 * keys. Keys without hash tags land on (almost) 100 different slots per batch, spread over all the primaries, so
 * every MGET is split by slot in each client (cross-slot MGET is refused by the server).
 */
import { Option } from "effect"

export const MGET_KEY_COUNT = 1000
export const MGET_BATCH = 100

export const mgetKeys: ReadonlyArray<string> = Array.from({ length: MGET_KEY_COUNT }, (_, i) => `mget:${i}`)
/** The value stored under `mget:<i>`: 32 bytes, distinct per key. */
export const mgetValue = (i: number): string => `v:${i}:`.padEnd(32, "x")
/** The batches: batch `b` is `mget:<100 b>` ... `mget:<100 b + 99>`. */
export const mgetBatches: ReadonlyArray<Array<string>> = Array.from(
  { length: MGET_KEY_COUNT / MGET_BATCH },
  (_, b) => mgetKeys.slice(b * MGET_BATCH, (b + 1) * MGET_BATCH)
)

/**
 * Throws unless `reply` holds exactly batch `b`'s values in key order. Clients answer a missing key as `null`
 * (node-redis, ioredis, glide) or `Option.none()` (effect-redis): either is a failure here.
 */
export const checkMgetReply = (client: string, b: number, reply: unknown): void => {
  if (!Array.isArray(reply) || reply.length !== MGET_BATCH) {
    throw new Error(`${client}: MGET of batch ${b} returned ${Array.isArray(reply) ? `${reply.length} values` : String(reply)}, not ${MGET_BATCH}`)
  }
  for (let j = 0; j < MGET_BATCH; j++) {
    const raw: unknown = reply[j]
    const value = Option.isOption(raw) ? Option.getOrUndefined(raw) : raw
    const expected = mgetValue(b * MGET_BATCH + j)
    if (value === null || value === undefined || String(value) !== expected) {
      throw new Error(`${client}: MGET of batch ${b}: ${mgetBatches[b]![j]} returned ${String(value)}, expected ${expected}`)
    }
  }
}
