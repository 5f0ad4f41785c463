import type { RedisError } from "@effect-redis/client"
import type { RespArg, RespValue } from "@effect-redis/resp"
import { Effect } from "effect"
import { keySlot } from "../../../KeySlot.ts"
import {
  argText,
  arityError,
  type Emulation,
  type EmulationRunner,
  memberBytes,
  memberOf,
  run,
  runAll,
  serverError,
  SYNTAX_ERROR,
  TEMP_TTL_MS,
  tempKeyNear
} from "./shared.ts"

// BITOP computed here on the bytes; PFMERGE and multi-key PFCOUNT run for real on one node, over raw copies of the
// HyperLogLog strings that live on other slots (temporary keys on the home slot, deleted afterwards).

type BitOperation = "AND" | "OR" | "XOR" | "NOT"

/** The string values at `keys` as bytes (GET, one pipeline); nil for missing keys; WRONGTYPE for other types. */
const readStrings = (runner: EmulationRunner, keys: ReadonlyArray<RespArg>): Effect.Effect<Array<Buffer | undefined>, RedisError> =>
  Effect.map(runAll(runner, "read", keys.map((key) => ["GET", key])), (values) =>
    values.map((value) => {
      const member = value === null ? undefined : memberOf(value)
      return member === undefined ? undefined : memberBytes(member)
    }))

/** The server's BITOP on byte strings: shorter inputs are padded with zero bytes. */
const bitwise = (operation: BitOperation, inputs: ReadonlyArray<Buffer>): Buffer => {
  const length = Math.max(0, ...inputs.map((input) => input.length))
  const out = Buffer.alloc(length)
  if (operation === "NOT") {
    const input = inputs[0]!
    for (let i = 0; i < length; i++) out[i] = ~input[i]! & 0xff
    return out
  }
  for (let i = 0; i < length; i++) {
    let byte = operation === "AND" ? 0xff : 0
    for (const input of inputs) {
      const value = i < input.length ? input[i]! : 0
      byte = operation === "AND" ? byte & value : operation === "OR" ? byte | value : byte ^ value
    }
    out[i] = byte
  }
  return out
}

/**
 * BITOP AND|OR|XOR|NOT destination key [key ...]: reads the sources (GET), computes the result here, SETs it at
 * the destination (which, as with the server, loses its TTL) and replies with its length; an empty result deletes
 * the destination and replies 0. One write: a failure leaves the destination as it was (or, when the SET's
 * outcome is unknown, possibly written).
 */
const bitop: Emulation = (args, runner) =>
  Effect.gen(function*() {
    if (args.length < 4) return yield* arityError(runner.name)
    const operation = argText(args[1]!).toUpperCase()
    if (operation !== "AND" && operation !== "OR" && operation !== "XOR" && operation !== "NOT") return yield* serverError(SYNTAX_ERROR)
    if (operation === "NOT" && args.length !== 4) return yield* serverError("ERR BITOP NOT must be called with a single source key.")
    const destination = args[2]!
    const values = yield* readStrings(runner, args.slice(3))
    const result = bitwise(operation, values.map((value) => value ?? Buffer.alloc(0)))
    if (result.length === 0) {
      yield* run(runner, "write", ["DEL", destination])
      return 0
    }
    yield* run(runner, "write", ["SET", destination, result])
    return result.length
  })

/**
 * Runs `command(keys)` on the slot of `home`: `keys` that hash there are used as they are; the others are read
 * (GET) and copied raw into temporary keys on that slot (SET PX, missing ones skipped), which are deleted
 * afterwards whatever happens (they also expire after {@link TEMP_TTL_MS}).
 */
const onHomeSlot = (
  runner: EmulationRunner,
  home: RespArg,
  keys: ReadonlyArray<RespArg>,
  command: (keys: ReadonlyArray<RespArg>) => ReadonlyArray<RespArg>
): Effect.Effect<RespValue, RedisError> =>
  Effect.gen(function*() {
    const slot = keySlot(home)
    const local = keys.filter((key) => keySlot(key) === slot)
    const remote = keys.filter((key) => keySlot(key) !== slot)
    const values = (yield* readStrings(runner, remote)).filter((value) => value !== undefined)
    const temps = values.map(() => tempKeyNear(home))
    const cleanup = temps.length === 0 ? Effect.void : Effect.ignore(run(runner, "write", ["DEL", ...temps]))
    return yield* Effect.ensuring(
      Effect.flatMap(
        runAll(runner, "write", values.map((value, i) => ["SET", temps[i]!, value, "PX", TEMP_TTL_MS])),
        () => run(runner, "write", command([...local, ...temps]))
      ),
      cleanup
    )
  })

/**
 * PFMERGE destination [source ...]: the real PFMERGE on the destination's node, over the sources on its slot and
 * raw copies of the others. One write to the destination: a failure leaves it as it was.
 */
const pfmerge: Emulation = (args, runner) =>
  args.length < 2 ? arityError(runner.name) : onHomeSlot(runner, args[1]!, args.slice(2), (sources) => ["PFMERGE", args[1]!, ...sources])

/** PFCOUNT key [key ...]: the real multi-key PFCOUNT on the first key's node, over copies of the others. */
const pfcount: Emulation = (args, runner) =>
  args.length < 2 ? arityError(runner.name) : onHomeSlot(runner, args[1]!, args.slice(1), (keys) => ["PFCOUNT", ...keys])

/** String emulations by command name. */
export const stringEmulations: Readonly<Record<string, Emulation>> = {
  BITOP: bitop,
  PFMERGE: pfmerge,
  PFCOUNT: pfcount
}
