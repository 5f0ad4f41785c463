import type { Command } from "@effect-redis/client"
import { makeCommand } from "@effect-redis/client/Command"
import type { RespArg } from "@effect-redis/resp"
import { keySlot } from "../../KeySlot.ts"

/** One slot's share of a command split by slot. */
export interface SlotGroup {
  readonly slot: number
  /** The same command with only this slot's keys (and their values). */
  readonly command: Command<unknown>
  /** For each key of this group, its position among the caller's keys (to put replies back in key order). */
  readonly keyPositions: ReadonlyArray<number>
}

/**
 * Splits a multi-key command (DEL, EXISTS, MGET, MSET...) into one command per hash slot. Works for commands
 * whose keys run to the end of the arguments in fixed-size units (`key` or `key value`), which is every command
 * the catalog marks `splitBySlot`. Returns why not otherwise.
 */
export const splitBySlot = (command: Command<unknown>): ReadonlyArray<SlotGroup> | string => {
  const positions = command.spec.keys
  if (typeof positions === "function") return "its keys are not in a fixed layout"
  const args = command.args
  const step = positions.step
  const first = positions.first
  if (positions.last !== -1 || first < 1 || step < 1 || (args.length - first) % step !== 0) {
    return "its keys are not followed only by their values"
  }
  const prefix = args.slice(0, first)
  const groups = new Map<number, { units: Array<RespArg>; keyPositions: Array<number> }>()
  for (let i = first, position = 0; i < args.length; i += step, position++) {
    const slot = keySlot(args[i]!)
    let group = groups.get(slot)
    if (group === undefined) {
      group = { units: [], keyPositions: [] }
      groups.set(slot, group)
    }
    for (let j = 0; j < step; j++) group.units.push(args[i + j]!)
    group.keyPositions.push(position)
  }
  return [...groups].map(([slot, group]) => ({
    slot,
    command: makeCommand(command.spec, [...prefix, ...group.units]),
    keyPositions: group.keyPositions
  }))
}
