import type { RespArg } from "@effect-redis/resp"
import { Schema } from "effect"
import { defineCommand, InvalidOptions } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import { makeReply, type Reply } from "../Reply.ts"
import * as Replies from "../../Replies.ts"
import { fieldsOf, intField, mismatch, textList } from "../ReplyDecoding.ts"
import { clientInfoReply, clientListReply } from "./clientInfoReplies.ts"
import { atMostOne, integerAtLeast } from "./validate.ts"

/** CLIENT LIST / CLIENT INFO entries (also ACL LOG's `clientInfo`), and their Schema. */
export { type ClientInfo, ClientInfoSchema } from "./clientInfoReplies.ts"

// CLIENT SETNAME, CLIENT TRACKING, CLIENT CACHING and CLIENT REPLY change the state of the connection they are sent
// on: on a connection shared by every caller they would affect the others (or make replies go missing), so they have
// no builders. Connection names and tracking belong in the client's options / a dedicated API.

const { admin, replaySafe, connectionState } = CommandFlags

/** The reply of CLIENT TRACKINGINFO: the connection's client-side caching state. */
export interface TrackingInfo {
  /** `off`, `on`, `bcast`, `optin`, `optout`, `caching-yes`, `caching-no`, `noloop`, `broken_redirect`. */
  readonly flags: ReadonlyArray<string>
  /** The client id notifications are redirected to: -1 when tracking is off, 0 when on without redirection. */
  readonly redirect: number
  /** The key prefixes of broadcasting mode. */
  readonly prefixes: ReadonlyArray<string>
}

const trackingInfoReply: Reply<TrackingInfo> = makeReply(
  Schema.Struct({ flags: Schema.Array(Schema.String), redirect: Schema.Number, prefixes: Schema.Array(Schema.String) }),
  (raw) => {
    const fields = fieldsOf(raw)
    const flags = fields && textList(fields.get("flags"))
    const redirect = fields && intField(fields, "redirect")
    const prefixes = fields && textList(fields.get("prefixes"))
    return flags === undefined || redirect === undefined || prefixes === undefined
      ? mismatch("a CLIENT TRACKINGINFO reply")(raw)
      : { flags, redirect, prefixes }
  }
)

/** CLIENT ID: the id of the connection the command is sent on. */
export const clientId = defineCommand({
  name: "CLIENT ID", flags: replaySafe, keys: noKeys, reply: Replies.integer,
  args: () => ["CLIENT", "ID"]
})

/** CLIENT GETNAME: the connection's name, or `Option.none()` when it has none. */
export const clientGetname = defineCommand({
  name: "CLIENT GETNAME", flags: replaySafe, keys: noKeys, reply: Replies.optionalString,
  args: () => ["CLIENT", "GETNAME"]
})

/** CLIENT INFO: the connection the command is sent on, as a {@link ClientInfo}. */
export const clientInfo = defineCommand({
  name: "CLIENT INFO", flags: replaySafe, keys: noKeys, reply: clientInfoReply,
  args: () => ["CLIENT", "INFO"]
})

/** A client type as CLIENT LIST and CLIENT KILL filter it. */
export type ClientType = "normal" | "master" | "replica" | "pubsub"

const clientTypes: ReadonlySet<string> = new Set(["normal", "master", "replica", "slave", "pubsub"])

/** Options of CLIENT LIST (at most one of them). */
export interface ClientListOptions {
  /** Only clients of this type. */
  readonly type?: ClientType | undefined
  /** Only the clients with these ids (one or several). */
  readonly ids?: number | ReadonlyArray<number> | undefined
}

/** CLIENT LIST [TYPE type | ID id ...]: the server's client connections as {@link ClientInfo}s. */
export const clientList = defineCommand({
  name: "CLIENT LIST", flags: admin | replaySafe, keys: noKeys, reply: clientListReply,
  args: (options: ClientListOptions = {}) => {
    const problem = atMostOne(options, ["type", "ids"])
    if (problem !== undefined) return problem
    if (options.type !== undefined) {
      return clientTypes.has(options.type) ? ["CLIENT", "LIST", "TYPE", options.type] : new InvalidOptions(`unknown client type ${String(options.type)}`)
    }
    if (options.ids !== undefined) {
      const ids = typeof options.ids === "number" ? [options.ids] : options.ids
      if (ids.length === 0) return new InvalidOptions("ids must not be empty")
      for (const id of ids) {
        const bad = integerAtLeast("id", id)
        if (bad !== undefined) return bad
      }
      return ["CLIENT", "LIST", "ID", ...ids]
    }
    return ["CLIENT", "LIST"]
  }
})

/** The filters of CLIENT KILL: a client is killed when it matches all of them. At least one is required. */
export interface ClientKillFilters {
  /** The client with this id. */
  readonly id?: number | undefined
  /** Clients of this type. */
  readonly type?: ClientType | undefined
  /** Clients authenticated as this ACL user. */
  readonly user?: string | undefined
  /** The client connected from this `ip:port`. */
  readonly addr?: string | undefined
  /** Clients connected to this local (server side) `ip:port`. */
  readonly laddr?: string | undefined
  /** Whether the connection sending the command is spared (the server's default is `true`). */
  readonly skipme?: boolean | undefined
}

/** CLIENT KILL [ID id] [TYPE type] [USER user] [ADDR ip:port] [LADDR ip:port] [SKIPME yes|no]: how many clients were killed. */
export const clientKill = defineCommand({
  name: "CLIENT KILL", flags: admin, keys: noKeys, reply: Replies.integer,
  args: (filters: ClientKillFilters) => {
    const out: Array<RespArg> = ["CLIENT", "KILL"]
    if (filters.id !== undefined) {
      const bad = integerAtLeast("id", filters.id)
      if (bad !== undefined) return bad
      out.push("ID", filters.id)
    }
    if (filters.type !== undefined) {
      if (!clientTypes.has(filters.type)) return new InvalidOptions(`unknown client type ${String(filters.type)}`)
      out.push("TYPE", filters.type)
    }
    if (filters.user !== undefined) out.push("USER", filters.user)
    if (filters.addr !== undefined) out.push("ADDR", filters.addr)
    if (filters.laddr !== undefined) out.push("LADDR", filters.laddr)
    if (filters.skipme !== undefined) out.push("SKIPME", filters.skipme ? "yes" : "no")
    return out.length === 2 ? new InvalidOptions("at least one filter is required") : out
  }
})

/** CLIENT KILL ip:port (the legacy form): kills the client connected from that address; fails when there is none. */
export const clientKillAddr = defineCommand({
  name: "CLIENT KILL", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (addr: string) => ["CLIENT", "KILL", addr]
})

/** Options of CLIENT PAUSE. */
export interface ClientPauseOptions {
  /** `WRITE` pauses only commands that may write; `ALL` (the default) every command. */
  readonly mode?: "WRITE" | "ALL" | undefined
}

/** CLIENT PAUSE timeout [WRITE|ALL]: suspends the server's clients for `timeoutMs` milliseconds. */
export const clientPause = defineCommand({
  name: "CLIENT PAUSE", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (timeoutMs: number, options: ClientPauseOptions = {}) => {
    const bad = integerAtLeast("timeoutMs", timeoutMs, 0)
    if (bad !== undefined) return bad
    if (options.mode === undefined) return ["CLIENT", "PAUSE", timeoutMs]
    if (options.mode !== "WRITE" && options.mode !== "ALL") return new InvalidOptions(`mode must be WRITE or ALL, got ${String(options.mode)}`)
    return ["CLIENT", "PAUSE", timeoutMs, options.mode]
  }
})

/** CLIENT UNPAUSE: ends a CLIENT PAUSE. */
export const clientUnpause = defineCommand({
  name: "CLIENT UNPAUSE", flags: admin | replaySafe, keys: noKeys, reply: Replies.ok,
  args: () => ["CLIENT", "UNPAUSE"]
})

/**
 * CLIENT NO-EVICT ON|OFF: whether the connection the command is sent on is exempt from client eviction
 * (`maxmemory-clients`). It changes that connection's state, which every caller sharing it inherits.
 */
export const clientNoEvict = defineCommand({
  name: "CLIENT NO-EVICT", flags: admin | connectionState | replaySafe, keys: noKeys, reply: Replies.ok,
  args: (enabled: boolean) => ["CLIENT", "NO-EVICT", enabled ? "ON" : "OFF"]
})

/** Options of CLIENT UNBLOCK. */
export interface ClientUnblockOptions {
  /** Make the blocked command fail with an UNBLOCKED error instead of returning as if it timed out. */
  readonly error?: boolean | undefined
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: unblocks a client blocked in a blocking command; whether it was blocked. */
export const clientUnblock = defineCommand({
  name: "CLIENT UNBLOCK", flags: admin, keys: noKeys, reply: Replies.boolean,
  args: (id: number, options: ClientUnblockOptions = {}) =>
    integerAtLeast("id", id) ?? (options.error === true ? ["CLIENT", "UNBLOCK", id, "ERROR"] : ["CLIENT", "UNBLOCK", id])
})

/** CLIENT GETREDIR: the client id tracking notifications are redirected to (-1 when tracking is off, 0 when on without redirection). */
export const clientGetredir = defineCommand({
  name: "CLIENT GETREDIR", flags: replaySafe, keys: noKeys, reply: Replies.integer,
  args: () => ["CLIENT", "GETREDIR"]
})

/** CLIENT TRACKINGINFO: the connection's client-side caching state ({@link TrackingInfo}). */
export const clientTrackinginfo = defineCommand({
  name: "CLIENT TRACKINGINFO", flags: replaySafe, keys: noKeys, reply: trackingInfoReply,
  args: () => ["CLIENT", "TRACKINGINFO"]
})
