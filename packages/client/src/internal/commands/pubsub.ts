import type { RespArg } from "@effect-redis/resp"
import { Schema } from "effect"
import { defineCommand } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { firstKey, noKeys } from "../KeyPositions.ts"
import * as Replies from "../../Replies.ts"
import { makeReply, type Reply } from "../Reply.ts"
import { entriesOf, mismatch, toInteger, toText } from "../ReplyDecoding.ts"
import type { RedisKey, RedisValue } from "./types.ts"

// The publish side of pub/sub and its introspection. Subscribing needs a connection in subscriber mode and is not
// a plain command. On a Redis Cluster the PUBLISH count and the PUBSUB replies describe the node that answered
// (Redis does not aggregate them): a message published on any node reaches subscribers on every node, but the
// count only includes the answering node's subscribers.

const { none, replaySafe } = CommandFlags

/**
 * Channel -> subscriber count pairs of PUBSUB NUMSUB / SHARDNUMSUB, in the order the channels were asked: a RESP2
 * flat array or a RESP3 map (Redis 7.0 sends the flat array under both).
 */
const channelCounts: Reply<ReadonlyMap<string, number>> = makeReply(
  Schema.ReadonlyMap(Schema.String, Schema.Number),
  (raw) => {
    const entries = entriesOf(raw)
    if (entries === undefined) return mismatch("channel-count pairs")(raw)
    const expected = raw instanceof Map ? "a map of channel counts" : "channel-count pairs"
    const out = new Map<string, number>()
    for (const [channel, count] of entries) {
      const name = toText(channel), n = toInteger(count)
      if (name === undefined || n === undefined) return mismatch(expected)(raw)
      out.set(name, n)
    }
    return out
  }
)

const channelList = (name: "NUMSUB" | "SHARDNUMSUB", channels: RedisKey | ReadonlyArray<RedisKey>): ReadonlyArray<RespArg> =>
  Array.isArray(channels) ? ["PUBSUB", name, ...channels] : ["PUBSUB", name, channels as RedisKey]

/**
 * PUBLISH channel message: sends a message to a channel; how many subscribers received it (on a cluster: the
 * subscribers connected to the node that took the message, though subscribers on every node get it).
 */
export const publish = defineCommand({
  name: "PUBLISH", flags: none, keys: noKeys, reply: Replies.integer,
  args: (channel: RedisKey, message: RedisValue) => ["PUBLISH", channel, message]
})

/**
 * SPUBLISH shardchannel message: sends a message to a shard channel; how many subscribers received it. The shard
 * channel is routed like a key (a cluster sends it to the primary of the channel's slot; its subscribers must be
 * connected to that shard).
 */
export const spublish = defineCommand({
  name: "SPUBLISH", flags: none, keys: firstKey, reply: Replies.integer,
  args: (shardChannel: RedisKey, message: RedisValue) => ["SPUBLISH", shardChannel, message]
})

/** PUBSUB CHANNELS [pattern]: the channels with at least one subscriber (matching the glob `pattern`). */
export const pubsubChannels = defineCommand({
  name: "PUBSUB CHANNELS", flags: replaySafe, keys: noKeys, reply: Replies.strings,
  args: (pattern?: string) => (pattern === undefined ? ["PUBSUB", "CHANNELS"] : ["PUBSUB", "CHANNELS", pattern])
})

/** PUBSUB NUMPAT: how many pattern subscriptions (PSUBSCRIBE) exist, counted over all clients. */
export const pubsubNumpat = defineCommand({
  name: "PUBSUB NUMPAT", flags: replaySafe, keys: noKeys, reply: Replies.integer,
  args: () => ["PUBSUB", "NUMPAT"]
})

/**
 * PUBSUB NUMSUB channel... (one channel or an array): per channel its subscriber count (pattern subscribers not
 * included), as a map in the order asked. No channel: an empty map.
 */
export const pubsubNumsub = defineCommand({
  name: "PUBSUB NUMSUB", flags: replaySafe, keys: noKeys, reply: channelCounts,
  args: (channels: RedisKey | ReadonlyArray<RedisKey>) => channelList("NUMSUB", channels)
})

/** PUBSUB SHARDCHANNELS [pattern]: the shard channels with at least one subscriber (on this node's shard). */
export const pubsubShardchannels = defineCommand({
  name: "PUBSUB SHARDCHANNELS", flags: replaySafe, keys: noKeys, reply: Replies.strings,
  args: (pattern?: string) => (pattern === undefined ? ["PUBSUB", "SHARDCHANNELS"] : ["PUBSUB", "SHARDCHANNELS", pattern])
})

/**
 * PUBSUB SHARDNUMSUB shardchannel... (one or an array): per shard channel its subscriber count (on this node's
 * shard), as a map in the order asked.
 */
export const pubsubShardnumsub = defineCommand({
  name: "PUBSUB SHARDNUMSUB", flags: replaySafe, keys: noKeys, reply: channelCounts,
  args: (channels: RedisKey | ReadonlyArray<RedisKey>) => channelList("SHARDNUMSUB", channels)
})
