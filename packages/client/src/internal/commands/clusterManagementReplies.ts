import type { RespValue } from "@effect-redis/resp"
import { Option, Schema } from "effect"
import { makeReply, type Reply, type ReplyMismatch } from "../Reply.ts"
import {
  asList,
  emptyRecord,
  fieldsOf,
  intField,
  mismatch,
  optionalIntField,
  optionalTextField,
  textField,
  toInteger,
  toText
} from "../ReplyDecoding.ts"

// The typed replies of the CLUSTER container commands. Each decoder accepts the RESP2 shape (flat arrays, bulk
// strings) and the RESP3 one (maps, verbatim strings) of the same reply and yields one value for both.
//
// Enumerated fields (state, health, role, link state, direction) are typed as their known values or any other
// text (`"ok" | "fail" | (string & {})`): a value a later server adds is passed through as the server's text
// instead of failing the whole reply, and code comparing with the known values keeps its completions.

/** An inclusive range of hash slots, `start..end` (a single slot has `start === end`). */
export interface ClusterSlotRange {
  readonly start: number
  readonly end: number
}

const SlotRangeSchema = Schema.Struct({ start: Schema.Number, end: Schema.Number })

/**
 * An announced name (`hostname`, `ip` in CLUSTER SHARDS / SLOTS metadata): absent, nil, empty or not text is none.
 * Nodes that announce nothing send an empty string or leave the field out, so neither fails the reply.
 */
const announcedField = (fields: ReadonlyMap<string, RespValue>, name: string): Option.Option<string> =>
  Option.filter(optionalTextField(fields, name) ?? Option.none(), (text) => text !== "")

// ---------------------------------------------------------------------------------------------------------------
// CLUSTER INFO

/**
 * The reply of CLUSTER INFO. The fields every Redis 7 node sends are typed; per-message-type counters are in
 * `messagesSentByType` / `messagesReceivedByType`; any other field (added by later servers) is kept as text in
 * `extra`.
 */
export interface ClusterInfo {
  /**
   * `cluster_state`: `ok` when the node serves queries, `fail` when a slot is unbound or in FAIL state; any other
   * value a later server sends, as its text.
   */
  readonly state: "ok" | "fail" | (string & {})
  /** `cluster_slots_assigned`: slots bound to some node. */
  readonly slotsAssigned: number
  /** `cluster_slots_ok`: slots whose node is neither PFAIL nor FAIL. */
  readonly slotsOk: number
  /** `cluster_slots_pfail`: slots whose node is PFAIL (unreachable for this node only). */
  readonly slotsPfail: number
  /** `cluster_slots_fail`: slots whose node is FAIL. */
  readonly slotsFail: number
  /** `cluster_known_nodes`: nodes this node knows of, including those in handshake. */
  readonly knownNodes: number
  /** `cluster_size`: primaries serving at least one slot. */
  readonly size: number
  /** `cluster_current_epoch`. */
  readonly currentEpoch: number
  /** `cluster_my_epoch`: the config epoch of this node (or of its primary). */
  readonly myEpoch: number
  /** `cluster_stats_messages_sent`: cluster bus messages sent. */
  readonly messagesSent: number
  /** `cluster_stats_messages_received`. */
  readonly messagesReceived: number
  /** `cluster_stats_messages_<type>_sent` by type (`ping`, `pong`, `meet`, `fail`, `publish`...). */
  readonly messagesSentByType: Readonly<Record<string, number>>
  /** `cluster_stats_messages_<type>_received` by type. */
  readonly messagesReceivedByType: Readonly<Record<string, number>>
  /** `total_cluster_links_buffer_limit_exceeded` (Redis 7+): links freed for exceeding their buffer limit. */
  readonly linksBufferLimitExceeded: Option.Option<number>
  /** Every other field, as text. */
  readonly extra: Readonly<Record<string, string>>
}

const ClusterInfoSchema = Schema.Struct({
  state: Schema.String,
  slotsAssigned: Schema.Number,
  slotsOk: Schema.Number,
  slotsPfail: Schema.Number,
  slotsFail: Schema.Number,
  knownNodes: Schema.Number,
  size: Schema.Number,
  currentEpoch: Schema.Number,
  myEpoch: Schema.Number,
  messagesSent: Schema.Number,
  messagesReceived: Schema.Number,
  messagesSentByType: Schema.Record(Schema.String, Schema.Number),
  messagesReceivedByType: Schema.Record(Schema.String, Schema.Number),
  linksBufferLimitExceeded: Schema.Option(Schema.Number),
  extra: Schema.Record(Schema.String, Schema.String)
})

const infoNumbers = {
  cluster_slots_assigned: "slotsAssigned",
  cluster_slots_ok: "slotsOk",
  cluster_slots_pfail: "slotsPfail",
  cluster_slots_fail: "slotsFail",
  cluster_known_nodes: "knownNodes",
  cluster_size: "size",
  cluster_current_epoch: "currentEpoch",
  cluster_my_epoch: "myEpoch",
  cluster_stats_messages_sent: "messagesSent",
  cluster_stats_messages_received: "messagesReceived"
} as const

type InfoNumberField = (typeof infoNumbers)[keyof typeof infoNumbers]

const messageCounter = /^cluster_stats_messages_(.+)_(sent|received)$/

/** CLUSTER INFO: `name:value` lines (a bulk string, or a RESP3 verbatim string) to a {@link ClusterInfo}. */
export const clusterInfo: Reply<ClusterInfo> = makeReply(ClusterInfoSchema, (raw) => {
  const text = toText(raw)
  if (text === undefined) return mismatch("CLUSTER INFO text")(raw)
  const numbers: Partial<Record<InfoNumberField, number>> = {}
  const sentByType = emptyRecord<number>()
  const receivedByType = emptyRecord<number>()
  const extra = emptyRecord<string>()
  let state: string | undefined
  let linksBufferLimitExceeded: Option.Option<number> = Option.none()
  for (const line of text.split(/\r?\n/)) {
    if (line === "") continue
    const colon = line.indexOf(":")
    if (colon <= 0) return mismatch("CLUSTER INFO `name:value` lines")(raw)
    const name = line.slice(0, colon)
    const value = line.slice(colon + 1)
    if (name === "cluster_state") {
      state = value
      continue
    }
    const known = Object.hasOwn(infoNumbers, name) ? (infoNumbers as Record<string, InfoNumberField>)[name] : undefined
    const counter = known === undefined ? messageCounter.exec(name) : null
    if (known === undefined && counter === null && name !== "total_cluster_links_buffer_limit_exceeded") {
      extra[name] = value
      continue
    }
    const n = toInteger(value)
    if (n === undefined) return mismatch(`an integer for ${name}`)(raw)
    if (known !== undefined) numbers[known] = n
    else if (counter !== null) (counter[2] === "sent" ? sentByType : receivedByType)[counter[1]!] = n
    else linksBufferLimitExceeded = Option.some(n)
  }
  if (state === undefined) return mismatch("CLUSTER INFO with cluster_state")(raw)
  for (const field of Object.values(infoNumbers)) {
    if (numbers[field] === undefined) return mismatch(`CLUSTER INFO with every standard field (${field} missing)`)(raw)
  }
  const n = numbers as Record<InfoNumberField, number>
  return {
    state,
    slotsAssigned: n.slotsAssigned,
    slotsOk: n.slotsOk,
    slotsPfail: n.slotsPfail,
    slotsFail: n.slotsFail,
    knownNodes: n.knownNodes,
    size: n.size,
    currentEpoch: n.currentEpoch,
    myEpoch: n.myEpoch,
    messagesSent: n.messagesSent,
    messagesReceived: n.messagesReceived,
    messagesSentByType: sentByType,
    messagesReceivedByType: receivedByType,
    linksBufferLimitExceeded,
    extra
  }
})

// ---------------------------------------------------------------------------------------------------------------
// CLUSTER NODES / REPLICAS / SLAVES

/** A slot this node is importing (`[slot-<-nodeId]` in CLUSTER NODES): the keys come from `fromNodeId`. */
export interface ClusterImportingSlot {
  readonly slot: number
  readonly fromNodeId: string
}

/** A slot this node is migrating (`[slot->-nodeId]` in CLUSTER NODES): the keys go to `toNodeId`. */
export interface ClusterMigratingSlot {
  readonly slot: number
  readonly toNodeId: string
}

/** One line of CLUSTER NODES (or of CLUSTER REPLICAS), parsed. */
export interface ClusterNodeDescription {
  /** The node id (40 hex characters). */
  readonly id: string
  /** `ip:port@cport` as the node sent it (without the hostname and auxiliary fields). */
  readonly address: string
  /** The IP of `address`; empty when the node does not know it yet (before it met anyone). */
  readonly host: string
  /** The client port. */
  readonly port: number
  /** The cluster bus port. */
  readonly busPort: number
  /** The announced hostname (`cluster-announce-hostname`), when there is one. */
  readonly hostname: Option.Option<string>
  /** Auxiliary `name=value` fields after the hostname (Redis 7.2+: `shard-id`, `tls-port`...). */
  readonly auxFields: Readonly<Record<string, string>>
  /**
   * The flags: `myself`, `master`, `slave`, `fail?`, `fail`, `handshake`, `noaddr`, `nofailover`; empty when the
   * server sends `noflags`.
   */
  readonly flags: ReadonlyArray<string>
  /** The id of this node's primary, when it is a replica (`-` in the line otherwise). */
  readonly primaryId: Option.Option<string>
  /** Unix time (ms) of the pending PING, 0 when none is pending. */
  readonly pingSent: number
  /** Unix time (ms) of the last PONG received. */
  readonly pongReceived: number
  /** The node's config epoch (its primary's for a replica). */
  readonly configEpoch: number
  /** The state of the cluster bus link to this node: `connected`, `disconnected` or a later server's other text. */
  readonly linkState: "connected" | "disconnected" | (string & {})
  /** The slots it serves. */
  readonly slots: ReadonlyArray<ClusterSlotRange>
  /** Slots being imported (only listed for the node that answered, `myself`). */
  readonly importing: ReadonlyArray<ClusterImportingSlot>
  /** Slots being migrated away (only listed for the node that answered, `myself`). */
  readonly migrating: ReadonlyArray<ClusterMigratingSlot>
}

const ClusterNodeDescriptionSchema = Schema.Struct({
  id: Schema.String,
  address: Schema.String,
  host: Schema.String,
  port: Schema.Number,
  busPort: Schema.Number,
  hostname: Schema.Option(Schema.String),
  auxFields: Schema.Record(Schema.String, Schema.String),
  flags: Schema.Array(Schema.String),
  primaryId: Schema.Option(Schema.String),
  pingSent: Schema.Number,
  pongReceived: Schema.Number,
  configEpoch: Schema.Number,
  linkState: Schema.String,
  slots: Schema.Array(SlotRangeSchema),
  importing: Schema.Array(Schema.Struct({ slot: Schema.Number, fromNodeId: Schema.String })),
  migrating: Schema.Array(Schema.Struct({ slot: Schema.Number, toNodeId: Schema.String }))
})

const slotToken = /^(\d+)(?:-(\d+))?$/
const transferToken = /^\[(\d+)-([<>])-([^\]]+)\]$/
const nonNegative = (text: string | undefined): number | undefined => {
  if (text === undefined || !/^\d+$/.test(text)) return undefined
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : undefined
}

/** Parses one CLUSTER NODES line; undefined when it does not have the documented layout. */
export const parseClusterNodeLine = (line: string): ClusterNodeDescription | undefined => {
  const parts = line.trim().split(" ")
  if (parts.length < 8) return undefined
  const [id, addressField, flagField, primaryField, pingField, pongField, epochField, linkField] = parts as [
    string, string, string, string, string, string, string, string
  ]
  const [address, ...extras] = addressField.split(",") as [string, ...Array<string>]
  const at = address.lastIndexOf("@")
  const hostPort = at < 0 ? address : address.slice(0, at)
  const colon = hostPort.lastIndexOf(":")
  const port = nonNegative(hostPort.slice(colon + 1))
  const busPort = at < 0 ? undefined : nonNegative(address.slice(at + 1))
  const pingSent = nonNegative(pingField)
  const pongReceived = nonNegative(pongField)
  const configEpoch = nonNegative(epochField)
  if (
    id === "" || colon < 0 || port === undefined || busPort === undefined || pingSent === undefined ||
    pongReceived === undefined || configEpoch === undefined || linkField === ""
  ) return undefined
  let hostname: Option.Option<string> = Option.none()
  const auxFields = emptyRecord<string>()
  for (let i = 0; i < extras.length; i++) {
    const extra = extras[i]!
    const eq = extra.indexOf("=")
    if (eq < 0) {
      if (i !== 0) return undefined
      if (extra !== "") hostname = Option.some(extra)
    } else {
      auxFields[extra.slice(0, eq)] = extra.slice(eq + 1)
    }
  }
  const slots: Array<ClusterSlotRange> = []
  const importing: Array<ClusterImportingSlot> = []
  const migrating: Array<ClusterMigratingSlot> = []
  for (let i = 8; i < parts.length; i++) {
    const token = parts[i]!
    if (token === "") continue
    const range = slotToken.exec(token)
    if (range !== null) {
      const start = Number(range[1])
      slots.push({ start, end: range[2] === undefined ? start : Number(range[2]) })
      continue
    }
    const transfer = transferToken.exec(token)
    if (transfer === null) return undefined
    const slot = Number(transfer[1])
    if (transfer[2] === "<") importing.push({ slot, fromNodeId: transfer[3]! })
    else migrating.push({ slot, toNodeId: transfer[3]! })
  }
  return {
    id,
    address,
    host: hostPort.slice(0, colon).replace(/^\[|\]$/g, ""),
    port,
    busPort,
    hostname,
    auxFields,
    flags: flagField === "noflags" ? [] : flagField.split(","),
    primaryId: primaryField === "-" ? Option.none() : Option.some(primaryField),
    pingSent,
    pongReceived,
    configEpoch,
    linkState: linkField,
    slots,
    importing,
    migrating
  }
}

const parseLines = (lines: ReadonlyArray<string>, raw: RespValue): ReadonlyArray<ClusterNodeDescription> | ReplyMismatch => {
  const out: Array<ClusterNodeDescription> = []
  for (const line of lines) {
    if (line.trim() === "") continue
    const node = parseClusterNodeLine(line)
    if (node === undefined) return mismatch("CLUSTER NODES lines")(raw)
    out.push(node)
  }
  return out
}

/** CLUSTER NODES: one text with a line per node, to the parsed lines in the server's order. */
export const clusterNodes: Reply<ReadonlyArray<ClusterNodeDescription>> = makeReply(
  Schema.Array(ClusterNodeDescriptionSchema),
  (raw) => {
    const text = toText(raw)
    return text === undefined ? mismatch("CLUSTER NODES text")(raw) : parseLines(text.split("\n"), raw)
  }
)

/** CLUSTER REPLICAS / SLAVES: an array of CLUSTER NODES lines, parsed. */
export const clusterNodeLines: Reply<ReadonlyArray<ClusterNodeDescription>> = makeReply(
  Schema.Array(ClusterNodeDescriptionSchema),
  (raw) => {
    const list = asList(raw)
    if (list === undefined) return mismatch("an array of CLUSTER NODES lines")(raw)
    const lines: Array<string> = []
    for (const item of list) {
      const text = toText(item)
      if (text === undefined) return mismatch("an array of CLUSTER NODES lines")(raw)
      lines.push(...text.split("\n"))
    }
    return parseLines(lines, raw)
  }
)

// ---------------------------------------------------------------------------------------------------------------
// CLUSTER SHARDS

/** One node of a CLUSTER SHARDS entry. */
export interface ClusterShardNode {
  /** The node id. */
  readonly id: string
  /** The plain TCP port; none when the node only listens with TLS. */
  readonly port: Option.Option<number>
  /** The TLS port, when the node has one. */
  readonly tlsPort: Option.Option<number>
  /** The node's IP. */
  readonly ip: string
  /**
   * The endpoint clients should use (`cluster-preferred-endpoint-type`): the IP, the hostname, `?` (hostname
   * preferred but not set) or empty (unknown: use the address the command was sent to).
   */
  readonly endpoint: string
  /** The announced hostname, when there is one. */
  readonly hostname: Option.Option<string>
  /** `primary` (`master` on the wire) or `replica` (`slave` read as `replica`); a later server's other text as is. */
  readonly role: "primary" | "replica" | (string & {})
  /** The replication offset. */
  readonly replicationOffset: number
  /**
   * `online`, `failed` or `loading` (a replica that has received nothing yet, replication offset 0); a later
   * server's other text as is. The servers send `fail` (Redis 7.0.15, 8.0.2 and Valkey 8.1.1 alike), the Redis
   * documentation says `failed`: both read as `failed`.
   */
  readonly health: "online" | "failed" | "loading" | (string & {})
}

/** One CLUSTER SHARDS entry: the slots of a shard and its nodes (primary and replicas). */
export interface ClusterShardDescription {
  readonly slots: ReadonlyArray<ClusterSlotRange>
  readonly nodes: ReadonlyArray<ClusterShardNode>
}

const ClusterShardNodeSchema = Schema.Struct({
  id: Schema.String,
  port: Schema.Option(Schema.Number),
  tlsPort: Schema.Option(Schema.Number),
  ip: Schema.String,
  endpoint: Schema.String,
  hostname: Schema.Option(Schema.String),
  role: Schema.String,
  replicationOffset: Schema.Number,
  health: Schema.String
})

const ClusterShardDescriptionSchema = Schema.Struct({
  slots: Schema.Array(SlotRangeSchema),
  nodes: Schema.Array(ClusterShardNodeSchema)
})

const shardNode = (raw: RespValue): ClusterShardNode | undefined => {
  const fields = fieldsOf(raw)
  if (fields === undefined) return undefined
  const id = textField(fields, "id")
  const port = optionalIntField(fields, "port")
  const tlsPort = optionalIntField(fields, "tls-port")
  const ip = textField(fields, "ip")
  const endpointValue = fields.get("endpoint")
  const endpoint = endpointValue === null ? "" : endpointValue === undefined ? undefined : toText(endpointValue)
  const rawRole = textField(fields, "role")
  const role = rawRole === "master" ? "primary" : rawRole === "slave" ? "replica" : rawRole
  const replicationOffset = intField(fields, "replication-offset")
  const rawHealth = textField(fields, "health")
  // The servers send `fail`, the documentation says `failed`: one value for users.
  const health = rawHealth === "fail" ? "failed" : rawHealth
  if (
    id === undefined || port === undefined || tlsPort === undefined || ip === undefined || endpoint === undefined ||
    role === undefined || replicationOffset === undefined || health === undefined
  ) return undefined
  return {
    id,
    port,
    tlsPort,
    ip,
    endpoint,
    hostname: announcedField(fields, "hostname"),
    role,
    replicationOffset,
    health
  }
}

/** CLUSTER SHARDS: an array of maps (RESP3) or of flat field-value arrays (RESP2), typed. */
export const clusterShards: Reply<ReadonlyArray<ClusterShardDescription>> = makeReply(
  Schema.Array(ClusterShardDescriptionSchema),
  (raw) => {
    const notShards = mismatch("CLUSTER SHARDS entries")
    if (!Array.isArray(raw)) return notShards(raw)
    const out: Array<ClusterShardDescription> = []
    for (const entry of raw as ReadonlyArray<RespValue>) {
      const fields = fieldsOf(entry)
      const slotList = fields?.get("slots")
      const nodeList = fields?.get("nodes")
      if (!Array.isArray(slotList) || !Array.isArray(nodeList) || slotList.length % 2 !== 0) return notShards(raw)
      const slots: Array<ClusterSlotRange> = []
      for (let i = 0; i < slotList.length; i += 2) {
        const start = toInteger(slotList[i]!)
        const end = toInteger(slotList[i + 1]!)
        if (start === undefined || end === undefined) return notShards(raw)
        slots.push({ start, end })
      }
      const nodes: Array<ClusterShardNode> = []
      for (const item of nodeList as ReadonlyArray<RespValue>) {
        const node = shardNode(item)
        if (node === undefined) return notShards(raw)
        nodes.push(node)
      }
      out.push({ slots, nodes })
    }
    return out
  }
)

// ---------------------------------------------------------------------------------------------------------------
// CLUSTER SLOTS

/** A node of a CLUSTER SLOTS range. */
export interface ClusterSlotsNode {
  /**
   * The preferred endpoint (IP, hostname, or `?` when a hostname is preferred but not set); empty when the
   * server sends nil (unknown endpoint: use the address the command was sent to).
   */
  readonly host: string
  readonly port: number
  readonly id: string
  /** The node's IP, when the metadata gives it (it does when `host` is not the IP). */
  readonly ip: Option.Option<string>
  /** The node's hostname, when the metadata gives it. */
  readonly hostname: Option.Option<string>
}

/** One CLUSTER SLOTS range: the slots `start..end` and the nodes serving them. */
export interface ClusterSlotsRange {
  readonly start: number
  readonly end: number
  readonly primary: ClusterSlotsNode
  readonly replicas: ReadonlyArray<ClusterSlotsNode>
}

const ClusterSlotsNodeSchema = Schema.Struct({
  host: Schema.String,
  port: Schema.Number,
  id: Schema.String,
  ip: Schema.Option(Schema.String),
  hostname: Schema.Option(Schema.String)
})

const ClusterSlotsRangeSchema = Schema.Struct({
  start: Schema.Number,
  end: Schema.Number,
  primary: ClusterSlotsNodeSchema,
  replicas: Schema.Array(ClusterSlotsNodeSchema)
})

const slotsNode = (raw: RespValue): ClusterSlotsNode | undefined => {
  if (!Array.isArray(raw) || raw.length < 3) return undefined
  const [hostValue, portValue, idValue, metaValue] = raw as ReadonlyArray<RespValue>
  const host = hostValue === null ? "" : toText(hostValue!)
  const port = toInteger(portValue!)
  const id = toText(idValue!)
  const meta = metaValue === undefined ? new Map<string, RespValue>() : fieldsOf(metaValue)
  if (host === undefined || port === undefined || id === undefined || meta === undefined) return undefined
  return { host, port, id, ip: announcedField(meta, "ip"), hostname: announcedField(meta, "hostname") }
}

/** CLUSTER SLOTS: `[[start, end, [host, port, id, meta], ...replicas], ...]`, typed. */
export const clusterSlots: Reply<ReadonlyArray<ClusterSlotsRange>> = makeReply(
  Schema.Array(ClusterSlotsRangeSchema),
  (raw) => {
    const notSlots = mismatch("CLUSTER SLOTS ranges")
    if (!Array.isArray(raw)) return notSlots(raw)
    const out: Array<ClusterSlotsRange> = []
    for (const entry of raw as ReadonlyArray<RespValue>) {
      if (!Array.isArray(entry) || entry.length < 3) return notSlots(raw)
      const start = toInteger(entry[0]!)
      const end = toInteger(entry[1]!)
      const primary = slotsNode(entry[2]!)
      if (start === undefined || end === undefined || primary === undefined) return notSlots(raw)
      const replicas: Array<ClusterSlotsNode> = []
      for (let i = 3; i < entry.length; i++) {
        const replica = slotsNode(entry[i]!)
        if (replica === undefined) return notSlots(raw)
        replicas.push(replica)
      }
      out.push({ start, end, primary, replicas })
    }
    return out
  }
)

// ---------------------------------------------------------------------------------------------------------------
// CLUSTER LINKS

/** One cluster bus link of the node that answered CLUSTER LINKS. */
export interface ClusterLink {
  /**
   * `to`: a link this node opened to `nodeId`; `from`: a link `nodeId` opened to this node; a later server's other
   * text as is.
   */
  readonly direction: "to" | "from" | (string & {})
  /** The peer's node id. */
  readonly nodeId: string
  /** Unix time (ms) the link was created. */
  readonly createTime: number
  /** The events the link is registered for: `r`, `w`, `rw` or empty. */
  readonly events: string
  /** Bytes allocated for the link's send buffer. */
  readonly sendBufferAllocated: number
  /** Bytes of the send buffer in use. */
  readonly sendBufferUsed: number
}

const ClusterLinkSchema = Schema.Struct({
  direction: Schema.String,
  nodeId: Schema.String,
  createTime: Schema.Number,
  events: Schema.String,
  sendBufferAllocated: Schema.Number,
  sendBufferUsed: Schema.Number
})

/** CLUSTER LINKS: an array of maps (RESP3) or of flat field-value arrays (RESP2), typed. */
export const clusterLinks: Reply<ReadonlyArray<ClusterLink>> = makeReply(Schema.Array(ClusterLinkSchema), (raw) => {
  const notLinks = mismatch("CLUSTER LINKS entries")
  if (!Array.isArray(raw)) return notLinks(raw)
  const out: Array<ClusterLink> = []
  for (const entry of raw as ReadonlyArray<RespValue>) {
    const fields = fieldsOf(entry)
    if (fields === undefined) return notLinks(raw)
    const direction = textField(fields, "direction")
    const nodeId = textField(fields, "node")
    const createTime = intField(fields, "create-time")
    const events = textField(fields, "events")
    const sendBufferAllocated = intField(fields, "send-buffer-allocated")
    const sendBufferUsed = intField(fields, "send-buffer-used")
    if (
      direction === undefined || nodeId === undefined || createTime === undefined ||
      events === undefined || sendBufferAllocated === undefined || sendBufferUsed === undefined
    ) return notLinks(raw)
    out.push({ direction, nodeId, createTime, events, sendBufferAllocated, sendBufferUsed })
  }
  return out
})

// ---------------------------------------------------------------------------------------------------------------
// CLUSTER BUMPEPOCH

/** The reply of CLUSTER BUMPEPOCH: whether the epoch was bumped (`BUMPED`) or already unique (`STILL`). */
export interface ClusterBumpEpochResult {
  readonly bumped: boolean
  /** The node's config epoch after the command. */
  readonly epoch: number
}

/** `BUMPED <epoch>` / `STILL <epoch>` to a {@link ClusterBumpEpochResult}. */
export const clusterBumpEpoch: Reply<ClusterBumpEpochResult> = makeReply(
  Schema.Struct({ bumped: Schema.Boolean, epoch: Schema.Number }),
  (raw) => {
    const text = toText(raw)
    const match = text === undefined ? null : /^(BUMPED|STILL) (\d+)$/.exec(text)
    if (match === null) return mismatch("BUMPED <epoch> or STILL <epoch>")(raw)
    return { bumped: match[1] === "BUMPED", epoch: Number(match[2]) }
  }
)
