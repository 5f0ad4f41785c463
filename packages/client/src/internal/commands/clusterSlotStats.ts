/**
 * CLUSTER SLOT-STATS (Valkey 8.0+): per-slot usage of the slots a node serves: key count always, CPU time and
 * network bytes when the server has `cluster-slot-stats-enabled yes`.
 *
 * @module
 */
import type { RespArg, RespValue } from "@effect-redis/resp"
import { Option, Schema } from "effect"
import { defineCommand, InvalidOptions } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import { makeReply, type Reply, ReplyMismatch } from "../Reply.ts"
import { fieldsOf, intField, listOf, mismatch, optionalIntField, toInteger } from "../ReplyDecoding.ts"
import { integerAtLeast } from "./validate.ts"

/** One slot's usage. */
export interface SlotStats {
  readonly slot: number
  /** Keys in the slot. */
  readonly keyCount: number
  /** CPU time spent on the slot's commands, in microseconds (none unless `cluster-slot-stats-enabled`). */
  readonly cpuUsec: Option.Option<number>
  /** Bytes received for the slot's commands (none unless `cluster-slot-stats-enabled`). */
  readonly networkBytesIn: Option.Option<number>
  /** Bytes sent for the slot's commands (none unless `cluster-slot-stats-enabled`). */
  readonly networkBytesOut: Option.Option<number>
}

/** The metrics ORDERBY sorts by; the last three need `cluster-slot-stats-enabled yes`. */
export type SlotStatsMetric = "key-count" | "cpu-usec" | "network-bytes-in" | "network-bytes-out"

/** Which slots: a range (SLOTSRANGE), or the top slots by a metric (ORDERBY). */
export type SlotStatsSelection =
  | { readonly slotsRange: readonly [start: number, end: number] }
  | {
    readonly orderBy: SlotStatsMetric
    /** At most this many slots (LIMIT, 1..16384; the server's default is 16384). */
    readonly limit?: number | undefined
    /** Largest first (`desc`, the server's default) or smallest first. */
    readonly order?: "asc" | "desc" | undefined
  }

const decodeSlot = (raw: RespValue): SlotStats | ReplyMismatch => {
  const slot = Array.isArray(raw) && raw.length === 2 ? toInteger(raw[0]!) : undefined
  const fields = Array.isArray(raw) && raw.length === 2 ? fieldsOf(raw[1]!) : undefined
  if (slot === undefined || fields === undefined) return mismatch("[slot, stats]")(raw)
  const keyCount = intField(fields, "key-count")
  const cpuUsec = optionalIntField(fields, "cpu-usec")
  const networkBytesIn = optionalIntField(fields, "network-bytes-in")
  const networkBytesOut = optionalIntField(fields, "network-bytes-out")
  if (keyCount === undefined || cpuUsec === undefined || networkBytesIn === undefined || networkBytesOut === undefined) {
    return mismatch("slot stats")(raw)
  }
  return { slot, keyCount, cpuUsec, networkBytesIn, networkBytesOut }
}

const slotStats: Reply<ReadonlyArray<SlotStats>> = makeReply(
  Schema.Array(Schema.Struct({
    slot: Schema.Number,
    keyCount: Schema.Number,
    cpuUsec: Schema.Option(Schema.Number),
    networkBytesIn: Schema.Option(Schema.Number),
    networkBytesOut: Schema.Option(Schema.Number)
  })),
  (raw) => listOf(raw, "slot stats", decodeSlot)
)

const slotNumber = (name: string, slot: number): InvalidOptions | undefined =>
  Number.isSafeInteger(slot) && slot >= 0 && slot <= 16383 ? undefined : new InvalidOptions(`${name} must be a slot (0..16383), got ${String(slot)}`)

/**
 * CLUSTER SLOT-STATS (SLOTSRANGE start end | ORDERBY metric [LIMIT n] [ASC|DESC]): the usage of the node's slots,
 * in slot order (SLOTSRANGE: only the slots of the range the node serves) or by the metric (ORDERBY).
 *
 * On a cluster every primary answers for its own slots and the replies are joined: with SLOTSRANGE every served
 * slot of the range appears once, grouped by primary; with ORDERBY each primary contributes its own top `limit`, so
 * sort the joined array by the metric to rank slots across the cluster.
 */
export const clusterSlotStats = defineCommand({
  name: "CLUSTER SLOT-STATS", flags: CommandFlags.readonly, keys: noKeys, reply: slotStats,
  args: (selection: SlotStatsSelection) => {
    if ("slotsRange" in selection) {
      const [start, end] = selection.slotsRange
      const bad = slotNumber("start", start) ?? slotNumber("end", end)
      if (bad !== undefined) return bad
      if (start > end) return new InvalidOptions(`the range's start ${start} is after its end ${end}`)
      return ["CLUSTER", "SLOT-STATS", "SLOTSRANGE", start, end]
    }
    const out: Array<RespArg> = ["CLUSTER", "SLOT-STATS", "ORDERBY", selection.orderBy]
    if (selection.limit !== undefined) {
      const bad = integerAtLeast("limit", selection.limit) ?? (selection.limit > 16384 ? new InvalidOptions(`limit must be at most 16384, got ${selection.limit}`) : undefined)
      if (bad !== undefined) return bad
      out.push("LIMIT", selection.limit)
    }
    if (selection.order !== undefined) out.push(selection.order.toUpperCase())
    return out
  }
})
