import { type Command, CrossSlotError, InvalidArgumentError, type RedisError, TransactionCommandError, UnsupportedInClusterError } from "@effect-redis/client"
import { CommandFlags, hasFlag, invalidArgument, keyIndexes } from "@effect-redis/client/Command"
import { keyText } from "@effect-redis/client/Connection"
import type { RespArg } from "@effect-redis/resp"
import { keySlot } from "../../KeySlot.ts"
import { commandSlot, slotArgument } from "./CommandSlot.ts"
import { sortPatternError } from "./CrossSlotOperations.ts"

const ONE_SLOT = "a transaction runs on one node, so all its keys must hash to one slot: put them under one hash tag, e.g. {user:1}:a and {user:1}:b"
const ONE_NODE =
  "it runs on several nodes and merges their replies; inside a transaction (or a WATCH body) it would see one node only: run it outside"

/**
 * Where one command of a transaction (or of a WATCH body) goes on a cluster: its keys' slot, -1 when it has none
 * (then it goes with the other commands' slot), several slots when its keys differ, or why it cannot be part of a
 * single-node transaction (SORT patterns, and commands that fan out to many nodes: run on the transaction's one
 * node, DBSIZE would count one shard and FLUSHALL flush one). A fan-out that only reads and whose nodes must all
 * answer the same (PING, ECHO) goes with the keys' slot like any keyless command: one node's reply is the answer.
 */
const slotOf = (command: Command<unknown>): number | ReadonlyArray<number> | InvalidArgumentError | UnsupportedInClusterError | CrossSlotError => {
  const policy = command.spec.policy
  switch (policy._tag) {
    case "singleSlot":
    case "splitBySlot":
      return sortPatternError(command) ?? commandSlot(command)
    case "anyNode":
      return -1
    case "bySlotId": {
      const slot = slotArgument(command.args, policy.slotArgument)
      return slot ?? invalidArgument(command, `argument ${policy.slotArgument} is not a slot number (0-16383)`)
    }
    case "unsupported":
      return new UnsupportedInClusterError({ command: command.spec.name, reason: policy.reason })
    case "allPrimaries":
    case "allNodes":
      if (policy.merge === "allAgree" && hasFlag(command.spec.flags, CommandFlags.readonly)) return -1
      return new UnsupportedInClusterError({ command: command.spec.name, reason: ONE_NODE })
    case "slotsToOwners":
      return new UnsupportedInClusterError({ command: command.spec.name, reason: ONE_NODE })
    case "perNode":
      // One node's keyspace (SCAN's cursor, INFO keyspace...) is refused on a cluster inside a transaction too; the
      // calls the policy lets through (INFO server) go with the keys' slot like any keyless command.
      return policy.appliesTo === undefined || policy.appliesTo(command.args)
        ? new UnsupportedInClusterError({ command: command.spec.name, reason: policy.reason })
        : -1
  }
}

const isError = (value: unknown): value is InvalidArgumentError | UnsupportedInClusterError | CrossSlotError =>
  typeof value === "object" && value !== null && "_tag" in value

/** Every key of `commands` with its slot, for a `CrossSlotError`'s `keys` (only built when failing). */
const keysWithSlots = (commands: ReadonlyArray<Command<unknown>>): Array<{ readonly key: string; readonly slot: number }> =>
  commands.flatMap((command) =>
    command.spec.policy._tag === "singleSlot" || command.spec.policy._tag === "splitBySlot"
      ? keyIndexes(command.spec.keys, command.args).map((i) => ({ key: keyText(command.args[i]!), slot: keySlot(command.args[i]!) }))
      : []
  )

/**
 * The slot a transaction runs on: the one slot all its keys hash to, or -1 when it has no keys (any primary).
 * Fails before anything is sent with `CrossSlotError` (keys in several slots, named with their slots) or a
 * `TransactionCommandError` naming a command that cannot run inside a single-node transaction.
 */
export const transactionSlot = (commands: ReadonlyArray<Command<unknown>>): number | RedisError => {
  let slot = -1
  let slots: Array<number> | undefined
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i]!
    const found = slotOf(command)
    if (isError(found)) {
      if (found._tag === "CrossSlotError") return found
      return new TransactionCommandError({ index: i, command: command.spec.name, executed: false, error: found })
    }
    for (const s of typeof found === "number" ? [found] : found) {
      if (s < 0 || s === slot) continue
      if (slot < 0) slot = s
      else if (!(slots ??= [slot]).includes(s)) slots.push(s)
    }
  }
  if (slots !== undefined) {
    return new CrossSlotError({ command: "MULTI", slots, reason: ONE_SLOT, keys: keysWithSlots(commands) })
  }
  return slot
}

/** The slot of WATCH's keys, or `CrossSlotError` (naming each key's slot) when they span several. */
export const watchSlot = (keys: ReadonlyArray<RespArg>): number | RedisError => {
  if (keys.length === 0) return new InvalidArgumentError({ command: "WATCH", reason: "WATCH needs at least one key" })
  const first = keySlot(keys[0]!)
  for (const key of keys) {
    if (keySlot(key) !== first) {
      const withSlots = keys.map((k) => ({ key: keyText(k), slot: keySlot(k) }))
      return new CrossSlotError({
        command: "WATCH",
        slots: [...new Set(withSlots.map((k) => k.slot))],
        reason: "a WATCH body runs on one node, so the watched keys must hash to one slot: put them under one hash tag",
        keys: withSlots
      })
    }
  }
  return first
}

/**
 * What a WATCH body on `watched` (its slot) may send: commands of that slot or without keys. Anything else would
 * reach a node the WATCH knows nothing about (or answer MOVED): refused before sending.
 */
export const watchBodyCheck = (watched: number) => (command: Command<unknown>): RedisError | undefined => {
  const found = slotOf(command)
  if (isError(found)) return found
  for (const s of typeof found === "number" ? [found] : found) {
    if (s >= 0 && s !== watched) {
      return new CrossSlotError({
        command: command.spec.name,
        slots: [watched, ...(typeof found === "number" ? [found] : found).filter((x) => x !== watched)],
        reason: "a WATCH body runs on the node of the watched slot: its commands must use keys of that slot (one hash tag); run others outside the body",
        keys: keysWithSlots([command])
      })
    }
  }
  return undefined
}
