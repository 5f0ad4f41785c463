import { DecodeError, type RedisError } from "@effect-redis/client"
import { isRespErrorReply, type RespErrorReply, type RespValue } from "@effect-redis/resp"
import { Effect } from "effect"
import { SLOT_COUNT } from "../../KeySlot.ts"
import type { NodePoolService } from "../transport/NodePool.ts"
import { type NodeTarget, sendToNode } from "./NodeRequest.ts"

/**
 * What one node says about itself, at one moment: whether it is a primary, which slots it serves and which of them
 * it is migrating away, plus what changes when it might have lost and regained slots (its config epoch) or been
 * restarted (its run id, which a SCAN cursor belongs to).
 *
 * Read from the node itself, not from the client's slot map: a node's keys are where its own view says, and only the
 * node's own `CLUSTER NODES` line shows slots in migration (`[slot->-target]`).
 */
export interface NodeSlotState {
  readonly primary: boolean
  /** The node's config epoch: it changes when the node takes slots over (an import, a failover). */
  readonly configEpoch: string
  /** The server process's run id: a cursor from another process means nothing. */
  readonly runId: string
  /** 1 for each slot the node serves, migrating ones included. */
  readonly owned: Uint8Array
  /** Slots the node is migrating to another node: some of their keys may already be there. */
  readonly migrating: ReadonlySet<number>
  /** Slots the node is importing: it holds some of their keys without serving them yet. */
  readonly importing: ReadonlySet<number>
}

const text = (raw: RespValue): string | undefined =>
  typeof raw === "string" ? raw : raw instanceof Uint8Array ? Buffer.from(raw).toString("utf8") : undefined

/**
 * Reads the `myself` line of a `CLUSTER NODES` reply:
 * `<id> <addr> <flags> <primary id> <ping> <pong> <config epoch> <link> <slot>...`, slots as `n`, `a-b`,
 * `[n->-id]` (migrating) or `[n-<-id]` (importing). Returns the reason when there is no such line.
 */
export const parseMyself = (nodes: string, runId: string): NodeSlotState | string => {
  for (const line of nodes.split("\n")) {
    const fields = line.trim().split(" ")
    if (fields.length < 8 || !fields[2]!.split(",").includes("myself")) continue
    const flags = fields[2]!.split(",")
    const owned = new Uint8Array(SLOT_COUNT)
    const migrating = new Set<number>()
    const importing = new Set<number>()
    for (let i = 8; i < fields.length; i++) {
      const field = fields[i]!
      if (field.startsWith("[")) {
        const slot = Number.parseInt(field.slice(1), 10)
        if (!(slot >= 0 && slot < SLOT_COUNT)) continue
        if (field.includes("->-")) migrating.add(slot)
        else if (field.includes("-<-")) importing.add(slot)
        continue
      }
      const dash = field.indexOf("-")
      const start = Number(dash < 0 ? field : field.slice(0, dash))
      const end = Number(dash < 0 ? field : field.slice(dash + 1))
      if (!Number.isInteger(start) || !Number.isInteger(end)) continue
      owned.fill(1, Math.max(0, start), Math.min(SLOT_COUNT - 1, end) + 1)
    }
    return { primary: flags.includes("master"), configEpoch: fields[6]!, runId, owned, migrating, importing }
  }
  return "no line flagged myself"
}

const runIdOf = (info: string): string | undefined => /(?:^|\n)run_id:([0-9a-f]+)/.exec(info)?.[1]

/**
 * Asks `node` for its {@link NodeSlotState}: `CLUSTER NODES` and `INFO server`, sent together. An error reply (such as
 * LOADING) is returned as it is, for the caller to classify.
 */
export const readNodeSlotState = (
  pool: NodePoolService,
  node: NodeTarget,
  timeoutMs: number
): Effect.Effect<NodeSlotState | RespErrorReply, RedisError> =>
  Effect.flatMap(
    Effect.all([
      sendToNode(pool, node, ["CLUSTER", "NODES"], { binary: false, timeoutMs }),
      sendToNode(pool, node, ["INFO", "server"], { binary: false, timeoutMs })
    ], { concurrency: 2 }),
    ([nodes, info]): Effect.Effect<NodeSlotState | RespErrorReply, RedisError> => {
      if (isRespErrorReply(nodes)) return Effect.succeed(nodes)
      if (isRespErrorReply(info)) return Effect.succeed(info)
      const nodesText = text(nodes), infoText = text(info)
      const runId = infoText === undefined ? undefined : runIdOf(infoText)
      if (nodesText === undefined || runId === undefined) {
        return Effect.fail(new DecodeError({ command: "CLUSTER NODES", reason: "expected the node list and a run_id in INFO server", reply: nodes }))
      }
      const state = parseMyself(nodesText, runId)
      return typeof state === "string"
        ? Effect.fail(new DecodeError({ command: "CLUSTER NODES", reason: state, reply: nodes }))
        : Effect.succeed(state)
    }
  )
