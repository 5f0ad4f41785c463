/**
 * Lookups over the generated command catalog: a command's entry by name (subcommands included), and where its
 * keys are for a given argument list, computed from the server's key specs exactly as the server does. This is
 * what lets `Redis.call` route an untyped command on a cluster.
 *
 * @module
 */
import type { RespArg } from "@effect-redis/resp"
import type { KeyPositions } from "../KeyPositions.ts"
import type { CatalogEntry, KeySpec } from "./CatalogEntry.ts"
import { catalogEntries } from "./commands.generated.ts"

export type { CatalogEntry, CatalogServer, KeySpec, KeySpecBegin, KeySpecFind } from "./CatalogEntry.ts"
export { catalogEntries, catalogServers } from "./commands.generated.ts"

const byName = new Map<string, CatalogEntry>(catalogEntries.map((entry) => [entry.name, entry]))
const containers = new Set(catalogEntries.filter((entry) => entry.name.includes(" ")).map((entry) => entry.name.split(" ")[0]!))

/**
 * How catalog entries name a server: flavour and release line, `redis 8.0` for Redis 8.0.2. Patch releases of a
 * line do not add or remove commands, so a catalog generated from 8.0.2 describes 8.0.x.
 */
export const catalogServerLine = (flavour: "redis" | "valkey", version: string): string => {
  const [major = "0", minor = "0"] = version.split(".")
  return `${flavour} ${major}.${minor}`
}

/** The catalog entry of a command name as the client spells it (`GET`, `CLUSTER INFO`), if the server knows it. */
export const catalogEntry = (name: string): CatalogEntry | undefined => byName.get(name.toUpperCase())

/**
 * The catalog entry a command line is an instance of: `["cluster", "info"]` is `CLUSTER INFO`. Undefined for
 * commands the catalog does not know (module commands, newer servers).
 */
export const catalogEntryOfArgs = (args: ReadonlyArray<RespArg>): CatalogEntry | undefined => {
  const first = args[0]
  if (typeof first !== "string") return undefined
  const name = first.toUpperCase()
  if (containers.has(name)) {
    const sub = args[1]
    return typeof sub === "string" ? byName.get(`${name} ${sub.toUpperCase()}`) : undefined
  }
  return byName.get(name)
}

const argText = (arg: RespArg | undefined): string | undefined =>
  typeof arg === "string" ? arg
  : typeof arg === "number" || typeof arg === "bigint" ? String(arg)
  : arg instanceof Uint8Array ? Buffer.from(arg).toString("latin1")
  : undefined

/** The indices one key spec covers in `args` (the server's `getKeysUsingKeySpecs`, one spec). */
const specKeyIndexes = (spec: KeySpec, args: ReadonlyArray<RespArg>, out: Array<number>): void => {
  const argc = args.length
  let first: number
  const begin = spec.begin
  if (begin === "unknown") return
  if ("index" in begin) {
    first = begin.index
  } else {
    const keyword = begin.keyword.toUpperCase()
    const forward = begin.startFrom > 0
    let found = -1
    for (let i = forward ? begin.startFrom : argc + begin.startFrom; forward ? i < argc : i > 0; i += forward ? 1 : -1) {
      if (argText(args[i])?.toUpperCase() === keyword) {
        found = i
        break
      }
    }
    if (found < 0) return
    first = found + 1
  }
  const find = spec.find
  if (find === "unknown") return
  let last: number
  let step: number
  if ("lastKey" in find) {
    step = find.step
    if (find.lastKey >= 0) last = first + find.lastKey
    else if (find.limit <= 1) last = argc + find.lastKey
    else last = first + Math.floor((argc - first) / find.limit) + find.lastKey
  } else {
    const count = Number(argText(args[first + find.keyNumIndex]))
    if (!Number.isSafeInteger(count) || count <= 0) return
    step = find.step
    first = first + find.firstKey
    last = first + (count - 1) * step
  }
  for (let i = first; i <= last && i < argc; i += step) if (i >= 1 && !out.includes(i)) out.push(i)
}

/** Every key index of `args` according to the entry's key specs, in spec order. */
export const catalogKeyIndexes = (entry: CatalogEntry, args: ReadonlyArray<RespArg>): ReadonlyArray<number> => {
  const out: Array<number> = []
  for (const spec of entry.keySpecs) specKeyIndexes(spec, args, out)
  // MIGRATE's key argument is "" in its KEYS form; the server's own key finder skips it, the key specs cannot say so.
  return entry.name === "MIGRATE" ? out.filter((i) => argText(args[i]) !== "") : out
}

/**
 * The entry's key positions as {@link KeyPositions} (for commands built without a typed builder): the range form
 * when one fixed-index range spec covers every key (GET, DEL, MSET: what splitting by slot needs), else a
 * function of the arguments.
 */
export const catalogKeyPositions = (entry: CatalogEntry): KeyPositions => {
  const only = entry.keySpecs.length === 1 && entry.name !== "MIGRATE" ? entry.keySpecs[0]! : undefined
  if (only !== undefined && only.begin !== "unknown" && "index" in only.begin && only.find !== "unknown" && "lastKey" in only.find && only.find.limit <= 1) {
    const first = only.begin.index
    return { first, last: only.find.lastKey >= 0 ? first + only.find.lastKey : only.find.lastKey, step: only.find.step }
  }
  return (args) => catalogKeyIndexes(entry, args)
}

/** Whether the server flags the command read-only (it may be served by a replica and replayed). */
export const isReadonlyEntry = (entry: CatalogEntry): boolean => entry.flags.includes("readonly")
