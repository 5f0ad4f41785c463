import type { RespArg } from "@effect-redis/resp"
import type { ClusterNodeInfo, ClusterSnapshot } from "../topology/ClusterSnapshot.ts"

/** One owner's share of a command whose arguments are slots: the owner and the command line to send it. */
export interface OwnerShare {
  readonly node: ClusterNodeInfo
  readonly args: ReadonlyArray<RespArg>
}

const slotOf = (arg: RespArg | undefined): number | undefined => {
  const value = Number(arg)
  return Number.isInteger(value) && value >= 0 && value < 16384 ? value : undefined
}

/**
 * Splits CLUSTER DELSLOTS (`slots`) or DELSLOTSRANGE (`ranges`: start-end pairs) among the primaries that own the
 * slots, one command line per owner; a range that crosses owners is cut at the boundaries. Slots no primary owns
 * go to the first primary, whose own error reply ("already unassigned") then reaches the caller. The owners' shares
 * run concurrently and are not atomic: when one fails, the others may have applied theirs. Returns the reason when
 * an argument is not a slot number.
 */
export const sharesByOwner = (
  snapshot: ClusterSnapshot,
  args: ReadonlyArray<RespArg>,
  kind: "slots" | "ranges"
): ReadonlyArray<OwnerShare> | string => {
  const prefix = args.slice(0, 2)
  const fallback = snapshot.shards[0]?.primary
  if (fallback === undefined) return "no primary is known"
  const byOwner = new Map<string, { node: ClusterNodeInfo; args: Array<RespArg> }>()
  const ownerOf = (slot: number) => snapshot.shardForSlot(slot)?.primary ?? fallback
  const add = (node: ClusterNodeInfo, ...values: ReadonlyArray<number>) => {
    let share = byOwner.get(node.address)
    if (share === undefined) byOwner.set(node.address, share = { node, args: [...prefix] })
    share.args.push(...values)
  }
  if (kind === "slots") {
    if (args.length < 3) return "at least one slot is required"
    for (let i = 2; i < args.length; i++) {
      const slot = slotOf(args[i])
      if (slot === undefined) return `argument ${i} is not a slot number (0-16383)`
      add(ownerOf(slot), slot)
    }
  } else {
    if (args.length < 4 || args.length % 2 !== 0) return "start-end slot pairs are required"
    for (let i = 2; i < args.length; i += 2) {
      const start = slotOf(args[i]), end = slotOf(args[i + 1])
      if (start === undefined || end === undefined || end < start) return `arguments ${i}-${i + 1} are not a slot range`
      let from = start
      let owner = ownerOf(start)
      for (let slot = start + 1; slot <= end + 1; slot++) {
        const next = slot <= end ? ownerOf(slot) : undefined
        if (next?.address !== owner.address) {
          add(owner, from, slot - 1)
          if (next !== undefined) {
            from = slot
            owner = next
          }
        }
      }
    }
  }
  return [...byOwner.values()]
}
