import { isRespErrorReply, type RespValue } from "@effect-redis/resp"
import { type ClusterNodeInfo, type ClusterShard, formatAddress, type NodeAddressParts, type NodeHealth } from "./ClusterSnapshot.ts"

/** Maps an address a node announces to the address this client must use (NAT, Docker, SSH tunnels). */
export type AddressRemap = (address: NodeAddressParts) => NodeAddressParts

/** What parsing needs besides the reply. */
export interface ParseContext {
  /** The node that answered: an unknown endpoint (`?`, empty or nil) means "the address you asked". */
  readonly askedHost: string
  /** Whether the client connects with TLS: then a node's `tls-port` is preferred over `port`. */
  readonly tls: boolean
  readonly addressRemap: AddressRemap | undefined
}

/** Why a reply could not be read as a cluster layout. */
export class LayoutParseError {
  readonly reason: string
  constructor(reason: string) {
    this.reason = reason
  }
}

const text = (value: RespValue | undefined): string | undefined =>
  typeof value === "string" ? value : value instanceof Uint8Array ? Buffer.from(value).toString("utf8") : undefined

const int = (value: RespValue | undefined): number | undefined => {
  if (typeof value === "number") return value
  if (typeof value === "bigint") return Number(value)
  const s = text(value)
  if (s === undefined || s === "") return undefined
  const n = Number(s)
  return Number.isInteger(n) ? n : undefined
}

/** The fields of a RESP3 map or of a RESP2 flat `[name, value, ...]` array. */
const fieldsOf = (value: RespValue | undefined): Map<string, RespValue> | undefined => {
  const out = new Map<string, RespValue>()
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const name = text(k)
      if (name !== undefined) out.set(name, v)
    }
    return out
  }
  if (!Array.isArray(value) || value.length % 2 !== 0) return undefined
  for (let i = 0; i < value.length; i += 2) {
    const name = text(value[i])
    if (name !== undefined) out.set(name, value[i + 1]!)
  }
  return out
}

/** Nil or empty: "use the address you asked" (the node does not know how it is reached). */
const isUnknownEndpoint = (endpoint: string | undefined): boolean =>
  endpoint === undefined || endpoint === "" || endpoint === "?"

/**
 * The endpoint to use: the announced one; for `?` (hostname preferred but the node has none) the node's IP when
 * the reply gives it; otherwise, and for nil or empty, the asked host.
 */
const endpointOf = (endpoint: string | undefined, ip: string | undefined): string | undefined =>
  endpoint === "?" && ip !== undefined && ip !== "" && ip !== "?" ? ip : endpoint

const makeNode = (
  context: ParseContext,
  id: string | undefined,
  endpoint: string | undefined,
  port: number,
  role: "primary" | "replica",
  health: NodeHealth
): ClusterNodeInfo => {
  const announced = { host: isUnknownEndpoint(endpoint) ? context.askedHost : endpoint!, port }
  const { host, port: mappedPort } = context.addressRemap?.(announced) ?? announced
  const address = formatAddress(host, mappedPort)
  return { id: id ?? address, host, port: mappedPort, address, role, health }
}

/**
 * CLUSTER SHARDS `health`: the servers say `fail` for a node the cluster has marked as failing (Redis 7.0.15, 8.0.2
 * and Valkey 8.1.1 alike), the Redis documentation says `failed`. Reading only `failed` made a crashed primary look
 * healthy on Redis 8 and Valkey, which list it in its old shard before its promoted replica, so it stayed the
 * shard's primary (Redis 7.0 moves it to a slotless shard of its own). Unknown values count as online.
 */
export const healthOf = (value: string | undefined): NodeHealth =>
  value === "failed" || value === "fail" ? "failed" : value === "loading" ? "loading" : "online"

/**
 * Reads a `CLUSTER SHARDS` reply (Redis 7+), RESP2 or RESP3. Endpoints follow the node's
 * `cluster-preferred-endpoint-type`; unknown ones become the asked host; `addressRemap` is applied last.
 */
export const parseClusterShards = (reply: RespValue, context: ParseContext): ReadonlyArray<ClusterShard> | LayoutParseError => {
  if (isRespErrorReply(reply)) return new LayoutParseError(reply.message)
  if (!Array.isArray(reply)) return new LayoutParseError("CLUSTER SHARDS did not return an array")
  const shards: Array<ClusterShard> = []
  for (const entry of reply) {
    const fields = fieldsOf(entry)
    const slotList = fields?.get("slots")
    const nodeList = fields?.get("nodes")
    if (fields === undefined || !Array.isArray(slotList) || !Array.isArray(nodeList)) {
      return new LayoutParseError("a CLUSTER SHARDS entry lacks slots or nodes")
    }
    const slots: Array<readonly [number, number]> = []
    for (let i = 0; i + 1 < slotList.length; i += 2) {
      const start = int(slotList[i])
      const end = int(slotList[i + 1])
      if (start === undefined || end === undefined) return new LayoutParseError("a slot range is not a pair of integers")
      slots.push([start, end])
    }
    let primary: ClusterNodeInfo | undefined
    const replicas: Array<ClusterNodeInfo> = []
    for (const nodeEntry of nodeList) {
      const node = fieldsOf(nodeEntry)
      if (node === undefined) return new LayoutParseError("a CLUSTER SHARDS node is not a map")
      const tlsPort = int(node.get("tls-port"))
      const plainPort = int(node.get("port"))
      const port = context.tls ? tlsPort ?? plainPort : plainPort ?? tlsPort
      if (port === undefined || port === 0) continue // a node without a usable port cannot be reached
      const role = text(node.get("role")) === "master" ? "primary" : "replica"
      const info = makeNode(
        context,
        text(node.get("id")),
        endpointOf(text(node.get("endpoint")) ?? text(node.get("ip")), text(node.get("ip"))),
        port,
        role,
        healthOf(text(node.get("health")))
      )
      if (role === "primary" && (primary === undefined || (primary.health === "failed" && info.health !== "failed"))) {
        // A failed former primary listed before the healthy one is kept as a (failed) replica, as when listed after.
        if (primary !== undefined) replicas.push({ ...primary, role: "replica" })
        primary = info
      } else {
        replicas.push({ ...info, role: "replica" })
      }
    }
    if (primary === undefined) {
      if (slots.length > 0) return new LayoutParseError("a shard serving slots has no primary")
      continue
    }
    shards.push({ primary, replicas, slots })
  }
  return shards
}

/**
 * Reads a `CLUSTER SLOTS` reply: `[[start, end, [host, port, id, meta?], ...replicas], ...]`. Nodes without
 * slots are not listed by this command; they are found by the next `CLUSTER SHARDS`-capable refresh or MOVED.
 */
export const parseClusterSlots = (reply: RespValue, context: ParseContext): ReadonlyArray<ClusterShard> | LayoutParseError => {
  if (isRespErrorReply(reply)) return new LayoutParseError(reply.message)
  if (!Array.isArray(reply)) return new LayoutParseError("CLUSTER SLOTS did not return an array")
  const byPrimary = new Map<string, { primary: ClusterNodeInfo; replicas: Map<string, ClusterNodeInfo>; slots: Array<readonly [number, number]> }>()
  for (const range of reply) {
    if (!Array.isArray(range) || range.length < 3) return new LayoutParseError("a CLUSTER SLOTS entry is too short")
    const start = int(range[0])
    const end = int(range[1])
    if (start === undefined || end === undefined) return new LayoutParseError("a slot range is not a pair of integers")
    const nodes: Array<ClusterNodeInfo> = []
    for (let i = 2; i < range.length; i++) {
      const node = range[i]
      if (!Array.isArray(node) || node.length < 2) return new LayoutParseError("a CLUSTER SLOTS node is too short")
      const port = int(node[1])
      if (port === undefined) return new LayoutParseError("a CLUSTER SLOTS node has no port")
      // Redis 7 appends a metadata map with `ip` and `hostname`: `ip` resolves a `?` endpoint.
      const meta = node.length > 3 ? fieldsOf(node[3]) : undefined
      const endpoint = endpointOf(text(node[0]), text(meta?.get("ip")))
      nodes.push(makeNode(context, text(node[2]), endpoint, port, i === 2 ? "primary" : "replica", "online"))
    }
    const primary = nodes[0]!
    let shard = byPrimary.get(primary.address)
    if (shard === undefined) {
      shard = { primary, replicas: new Map(), slots: [] }
      byPrimary.set(primary.address, shard)
    }
    shard.slots.push([start, end])
    for (const replica of nodes.slice(1)) shard.replicas.set(replica.address, replica)
  }
  return [...byPrimary.values()].map((s) => ({ primary: s.primary, replicas: [...s.replicas.values()], slots: s.slots }))
}

/** Parses `MOVED 3999 127.0.0.1:6381` / `ASK ...` text into slot and address; `undefined` if malformed. */
export const parseRedirect = (
  message: string,
  askedHost: string
): { readonly slot: number; readonly host: string; readonly port: number } | undefined => {
  const parts = message.split(" ")
  if (parts.length < 3) return undefined
  const slot = Number(parts[1])
  const endpoint = parts[2]!
  const colon = endpoint.lastIndexOf(":")
  if (!Number.isInteger(slot) || colon < 0) return undefined
  const port = Number(endpoint.slice(colon + 1))
  if (!Number.isInteger(port) || port <= 0) return undefined
  const rawHost = endpoint.slice(0, colon).replace(/^\[|\]$/g, "")
  return { slot, host: isUnknownEndpoint(rawHost) ? askedHost : rawHost, port }
}
