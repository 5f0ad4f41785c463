/**
 * Reading the text and array replies the test kit uses to watch a cluster: CLUSTER NODES, CLUSTER SLOTS,
 * and `field:value` sections of INFO / CLUSTER INFO.
 *
 * @internal
 */
import type { RespReply } from "../AdminConnection.ts"
import type { SlotRange } from "../SlotRange.ts"

/** One line of CLUSTER NODES, as seen by the node that answered. */
export interface ClusterNodesEntry {
  readonly nodeId: string
  readonly host: string
  readonly port: number
  readonly hostname: string | undefined
  readonly flags: ReadonlyArray<string>
  readonly myself: boolean
  readonly role: "primary" | "replica"
  /** The primary's node id, for replicas. */
  readonly primaryId: string | undefined
  /** PFAIL or FAIL from the answering node's point of view. */
  readonly failing: boolean
  /** In handshake, or address not known yet: not a full member yet. */
  readonly joining: boolean
  readonly connected: boolean
  readonly slots: ReadonlyArray<SlotRange>
  /** `[slot->-target]` entries: only shown on the node's own line. */
  readonly migrating: ReadonlyArray<{ readonly slot: number; readonly nodeId: string }>
  /** `[slot-<-source]` entries: only shown on the node's own line. */
  readonly importing: ReadonlyArray<{ readonly slot: number; readonly nodeId: string }>
}

/**
 * Parses CLUSTER NODES. Each line:
 * `<id> <ip:port@cport[,hostname]> <flags> <primary|-> <ping-sent> <pong-recv> <epoch> <link> <slot>...`
 */
export const parseClusterNodes = (text: string): ReadonlyArray<ClusterNodesEntry> =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const [nodeId = "", address = "", flagText = "", primary = "-", , , , link = "", ...slotTokens] = line.split(" ")
      const [endpoint = "", hostname] = address.split(",")
      const hostPort = endpoint.split("@")[0] ?? ""
      const colon = hostPort.lastIndexOf(":")
      const flags = flagText.split(",")
      const slots: Array<SlotRange> = []
      const migrating: Array<{ slot: number; nodeId: string }> = []
      const importing: Array<{ slot: number; nodeId: string }> = []
      for (const token of slotTokens) {
        const moving = /^\[(\d+)-([<>])-([0-9a-f]+)\]$/.exec(token)
        if (moving !== null) {
          const entry = { slot: Number(moving[1]), nodeId: moving[3]! }
          ;(moving[2] === ">" ? migrating : importing).push(entry)
          continue
        }
        const [start, end = start] = token.split("-")
        slots.push({ start: Number(start), end: Number(end) })
      }
      return {
        nodeId,
        host: hostPort.slice(0, colon),
        port: Number(hostPort.slice(colon + 1)),
        hostname: hostname !== undefined && hostname.length > 0 ? hostname : undefined,
        flags,
        myself: flags.includes("myself"),
        role: flags.includes("slave") ? "replica" : "primary",
        primaryId: primary === "-" ? undefined : primary,
        failing: flags.includes("fail") || flags.includes("fail?"),
        joining: flags.includes("handshake") || flags.includes("noaddr"),
        connected: link === "connected",
        slots,
        migrating,
        importing
      } satisfies ClusterNodesEntry
    })

/** `field:value` lines of INFO or CLUSTER INFO. */
export const parseInfoFields = (text: string): ReadonlyMap<string, string> => {
  const fields = new Map<string, string>()
  for (const line of text.split("\r\n").flatMap((chunk) => chunk.split("\n"))) {
    const colon = line.indexOf(":")
    if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1).trim())
  }
  return fields
}

/**
 * CLUSTER SLOTS reduced to a comparable string: ranges in slot order, each with its primary's node id and
 * its replicas' ids sorted (nodes list replicas in no particular order).
 */
export const slotMapFingerprint = (reply: RespReply): string => {
  if (!Array.isArray(reply)) return `unexpected reply ${JSON.stringify(reply)}`
  return (reply as ReadonlyArray<ReadonlyArray<RespReply>>)
    .map((entry) => {
      const [start, end, primary, ...replicas] = entry
      const idOf = (node: RespReply | undefined): string =>
        Array.isArray(node) ? String(node[2] ?? `${String(node[0])}:${String(node[1])}`) : "?"
      return {
        start: Number(start),
        text: `${String(start)}-${String(end)}:${idOf(primary)}${
          replicas.length > 0 ? `+${replicas.map(idOf).sort().join("+")}` : ""
        }`
      }
    })
    .sort((a, b) => a.start - b.start)
    .map((entry) => entry.text)
    .join(" ")
}
