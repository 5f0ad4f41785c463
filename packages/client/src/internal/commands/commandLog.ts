/**
 * COMMANDLOG (Valkey 8.1+): the server's logs of slow commands, of large requests and of large replies (SLOWLOG is
 * its `slow` log).
 *
 * @module
 */
import type { RespValue } from "@effect-redis/resp"
import { Schema } from "effect"
import { defineCommand } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import { makeReply, type Reply, type ReplyMismatch } from "../Reply.ts"
import * as Replies from "../../Replies.ts"
import { asList, listOf, mismatch, textList, toInteger, toText } from "../ReplyDecoding.ts"
import { integerAtLeast } from "./validate.ts"

const { admin, replaySafe } = CommandFlags

/**
 * Which log: commands slower than `commandlog-execution-slower-than` µs, requests larger than
 * `commandlog-request-larger-than` bytes, or replies larger than `commandlog-reply-larger-than` bytes.
 */
export type CommandLogType = "slow" | "large-request" | "large-reply"

/** One entry of a command log. */
export interface CommandLogEntry {
  /** The entry's unique, increasing id. */
  readonly id: number
  /** Unix seconds when the command ran. */
  readonly timestamp: number
  /** What got it logged: microseconds of execution (`slow`) or bytes of the request or reply (`large-*`). */
  readonly value: number
  /** The command line (long ones shortened by the server). */
  readonly args: ReadonlyArray<string>
  /** `ip:port` of the client. */
  readonly clientAddr: string
  /** The client's name (CLIENT SETNAME), empty when it has none. */
  readonly clientName: string
}

const decodeEntry = (raw: RespValue): CommandLogEntry | ReplyMismatch => {
  const parts = asList(raw)
  if (parts === undefined || parts.length < 6) return mismatch("a COMMANDLOG entry")(raw)
  const id = toInteger(parts[0]!), timestamp = toInteger(parts[1]!), value = toInteger(parts[2]!)
  const args = textList(parts[3]!), clientAddr = toText(parts[4]!), clientName = toText(parts[5]!)
  return id === undefined || timestamp === undefined || value === undefined || args === undefined || clientAddr === undefined ||
      clientName === undefined
    ? mismatch("a COMMANDLOG entry")(raw)
    : { id, timestamp, value, args, clientAddr, clientName }
}

const entries: Reply<ReadonlyArray<CommandLogEntry>> = makeReply(
  Schema.Array(Schema.Struct({
    id: Schema.Number,
    timestamp: Schema.Number,
    value: Schema.Number,
    args: Schema.Array(Schema.String),
    clientAddr: Schema.String,
    clientName: Schema.String
  })),
  (raw) => listOf(raw, "COMMANDLOG entries", decodeEntry)
)

/** COMMANDLOG GET count type: the log's most recent entries, most recent first (`count` -1 = all). */
export const commandlogGet = defineCommand({
  name: "COMMANDLOG GET", flags: admin | replaySafe, keys: noKeys, reply: entries,
  args: (type: CommandLogType, count: number) => integerAtLeast("count", count, -1) ?? ["COMMANDLOG", "GET", count, type]
})

/** COMMANDLOG LEN type: the number of entries in the log (on a cluster: the sum over every node). */
export const commandlogLen = defineCommand({
  name: "COMMANDLOG LEN", flags: admin | replaySafe, keys: noKeys, reply: Replies.integer,
  args: (type: CommandLogType) => ["COMMANDLOG", "LEN", type]
})

/** COMMANDLOG RESET type: empties the log (on a cluster: on every node). */
export const commandlogReset = defineCommand({
  name: "COMMANDLOG RESET", flags: admin | replaySafe, keys: noKeys, reply: Replies.ok,
  args: (type: CommandLogType) => ["COMMANDLOG", "RESET", type]
})
