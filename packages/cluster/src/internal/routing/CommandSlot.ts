import type { Command } from "@effect-redis/client"
import { firstKey, keyIndexes } from "@effect-redis/client/Command"
import type { RespArg } from "@effect-redis/resp"
import { keySlot } from "../../KeySlot.ts"

/**
 * The slot every key of `command` hashes to, -1 when it has no keys, or the distinct slots when they differ.
 * The common one-key case reads `args[1]` without building the key index list.
 */
export const commandSlot = (command: Command<unknown>): number | ReadonlyArray<number> => {
  const args = command.args
  if (command.spec.keys === firstKey) return args.length > 1 ? keySlot(args[1]!) : -1
  const indexes = keyIndexes(command.spec.keys, args)
  if (indexes.length === 0) return -1
  const first = keySlot(args[indexes[0]!]!)
  let slots: Array<number> | undefined
  for (let i = 1; i < indexes.length; i++) {
    const slot = keySlot(args[indexes[i]!]!)
    if (slot !== first) {
      slots ??= [first]
      if (!slots.includes(slot)) slots.push(slot)
    }
  }
  return slots ?? first
}

/** The slot number at `args[index]` (CLUSTER COUNTKEYSINSLOT...), or undefined when it is not one. */
export const slotArgument = (args: ReadonlyArray<RespArg>, index: number): number | undefined => {
  const value = Number(args[index])
  return Number.isInteger(value) && value >= 0 && value < 16384 ? value : undefined
}
