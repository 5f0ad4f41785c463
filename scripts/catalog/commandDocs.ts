/**
 * Renders docs/commands.md from the command catalog, the `Redis` builders and the cluster routing table: every
 * command of the supported servers, which of them have it, its builders, how a cluster routes it and how replies
 * from several nodes are merged.
 * `node scripts/generate-catalog.ts` writes it; a test checks the checked-in file is current.
 */
import { type ClusterPolicy, type CommandSpec, Redis } from "@effect-redis/client"
import { crossSlotEmulation, routingEmulation } from "../../packages/cluster/src/internal/routing/CrossSlotOperations.ts"
import { writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type { CatalogEntry } from "../../packages/client/src/internal/catalog/CatalogEntry.ts"
import { catalogEntries, catalogServerLine, catalogServers } from "../../packages/client/src/internal/catalog/CommandCatalog.ts"
import { withoutBuilder } from "../../packages/client/src/internal/catalog/WithoutBuilder.ts"
import { clusterRoutingOf } from "../../packages/client/src/internal/ClusterRouting.ts"

export const commandDocsPath = fileURLToPath(new URL("../../docs/commands.md", import.meta.url))

/** The builder name the naming convention gives a command: `CLUSTER COUNT-FAILURE-REPORTS` → `clusterCountFailureReports`. */
const conventionalName = (command: string): string =>
  command.toLowerCase().split(/[ _-]/).map((word, i) => (i === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1))).join("")

/** Builder names per command name: builders carrying their spec, plus hand-written ones named by convention. */
export const buildersByCommand = (): ReadonlyMap<string, ReadonlyArray<string>> => {
  const out = new Map<string, Array<string>>()
  const add = (command: string, builder: string) => {
    const list = out.get(command) ?? []
    if (!list.includes(builder)) list.push(builder)
    out.set(command, list)
  }
  const exports = Redis as unknown as Record<string, unknown>
  for (const [builder, value] of Object.entries(exports)) {
    const spec = typeof value === "function" ? (value as { spec?: CommandSpec<unknown> }).spec : undefined
    if (spec !== undefined) add(spec.name, builder)
  }
  for (const entry of catalogEntries) {
    const candidate = conventionalName(entry.name)
    if (typeof exports[candidate] === "function") add(entry.name, candidate)
  }
  add("EVAL", "evalScript")
  for (const list of out.values()) list.sort()
  return out
}

const routingOf = (entry: CatalogEntry, specs: ReadonlyArray<CommandSpec<unknown>>): ClusterPolicy => {
  const fromSpec = specs.find((spec) => spec.name === entry.name)?.policy
  if (fromSpec !== undefined) return fromSpec
  return clusterRoutingOf(entry.name) ?? (entry.keySpecs.length > 0 ? { _tag: "singleSlot" } : { _tag: "anyNode" })
}

const describePolicy = (policy: ClusterPolicy): readonly [string, string] => {
  switch (policy._tag) {
    case "singleSlot":
      return ["slot of its keys", ""]
    case "splitBySlot":
      return ["split by slot", policy.merge]
    case "allPrimaries":
      return ["all primaries", policy.merge]
    case "allNodes":
      return ["all nodes", policy.merge]
    case "anyNode":
      return ["any node", ""]
    case "bySlotId":
      return [`owner of the slot in argument ${policy.slotArgument}`, ""]
    case "slotsToOwners":
      return [`each ${policy.arguments === "slots" ? "slot" : "slot range"} to its owner`, "allAgree"]
    case "perNode":
      return [policy.appliesTo === undefined ? "per node only (`RedisCluster.onNode` / `onNodes`)" : "any node; some forms per node only", policy.reason]
    case "unsupported":
      return ["unsupported", policy.reason]
  }
}

const allLines = catalogServers.map((server) => catalogServerLine(server.flavour, server.version))

/** `Redis 7.0, 8.0; Valkey 8.1`: release lines grouped by flavour, in the catalog's server order. */
const serversText = (lines: ReadonlyArray<string>): string => {
  const byFlavour = new Map<string, Array<string>>()
  for (const line of lines) {
    const [flavour, version] = line.split(" ")
    const name = flavour === "valkey" ? "Valkey" : "Redis"
    byFlavour.set(name, [...(byFlavour.get(name) ?? []), version!])
  }
  return [...byFlavour].map(([name, versions]) => `${name} ${versions.join(", ")}`).join("; ")
}

const flagsOf = (entry: CatalogEntry): string =>
  [
    entry.flags.includes("readonly") ? "read" : entry.flags.includes("write") ? "write" : "",
    entry.flags.includes("blocking") ? "blocking" : "",
    entry.flags.includes("admin") ? "admin" : "",
    entry.deprecated !== undefined
      ? `deprecated since ${entry.deprecated.since}` +
        (entry.deprecated.servers.length < entry.servers.length ? ` (${serversText(entry.deprecated.servers)})` : "")
      : ""
  ].filter((flag) => flag.length > 0).join(", ")

const cell = (text: string): string => text.replaceAll("|", "\\|").replaceAll("\n", " ")

/** The whole document. */
export const renderCommandDocs = (specs: ReadonlyArray<CommandSpec<unknown>>): string => {
  const builders = buildersByCommand()
  const groups = new Map<string, Array<CatalogEntry>>()
  for (const entry of catalogEntries) {
    const list = groups.get(entry.group) ?? []
    list.push(entry)
    groups.set(entry.group, list)
  }
  const withBuilder = catalogEntries.filter((entry) => builders.has(entry.name)).length
  const perServer = allLines.map((line) => `${serversText([line])}: ${catalogEntries.filter((entry) => entry.servers.includes(line)).length}`)
  const lines: Array<string> = [
    "# Commands",
    "",
    `Every command of ${serversText(allLines)} (${catalogEntries.length} with subcommands; ${perServer.join(", ")}),`,
    "generated from the command catalog (`packages/client/src/internal/catalog/commands.generated.ts`, itself generated from",
    "each server's COMMAND INFO and COMMAND DOCS and merged by the rule in `scripts/catalog/mergeCatalogs.ts`), the",
    "`Redis` builders and the cluster routing table (`packages/client/src/internal/ClusterRouting.ts`). Regenerate both with",
    "`node scripts/generate-catalog.ts`; a test fails when this file is out of date.",
    "",
    "**Servers** lists the servers that have the command. A server without it answers with an error, which the",
    "client reports as `UnknownCommandError`; the client itself never refuses a command by version.",
    "",
    `${withBuilder} commands have typed builders; the others are listed with the reason and stay reachable through`,
    "`Redis.call([...])`, which routes them on a cluster by the same catalog and table.",
    "",
    "**Cluster routing**: *slot of its keys* = the node serving the keys' slot (replicas for reads per `readFrom`;",
    "keys on different slots fail with `CrossSlotError`, except the commands emulated across slots, see the README);",
    "*split by slot* = one sub-command per slot, concurrently, replies merged; *all primaries* / *all nodes* = sent",
    "to each, replies merged; *any node* = one node; *per node only* = the reply describes one node's keyspace,",
    "so a routed call fails with `UnsupportedInClusterError` (it would look complete) and `RedisCluster.onNode` /",
    "`onNodes` run it on the nodes you choose. **Merge**: `sum`, `keyOrder` (values back in the caller's key",
    "order), `allAgree` (the one reply every node gave, else `InconsistentRepliesError`), `union`, `mergeMaps`",
    "(numbers under the same key added), `and` (per position), `firstSuccess`.",
    "`RedisCluster.onNodes(selection, command)` returns every node's own reply instead.",
    ""
  ]
  for (const [group, entries] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(
      `## ${group}`,
      "",
      "| Command | Servers | Builders | Cluster routing | Merge / reason | Flags | Summary |",
      "|---|---|---|---|---|---|---|"
    )
    for (const entry of entries) {
      const names = builders.get(entry.name)
      const [policyText, merge] = describePolicy(routingOf(entry, specs))
      const routing = routingEmulation(entry.name) !== undefined
        ? "a random primary, then the others while they have no key"
        : crossSlotEmulation(entry.name) !== undefined
        ? `${policyText}; keys on several slots: emulated client-side (not atomic)`
        : policyText
      const builderCell = names !== undefined
        ? names.map((name) => `\`Redis.${name}\``).join(", ")
        : `— ${withoutBuilder[entry.name] ?? "MISSING"}`
      const summary = entry.summary.length > 0 ? entry.summary : entry.group === "module" ? "(a module command: the server gives no docs)" : ""
      lines.push(
        `| ${entry.name} | ${serversText(entry.servers)} | ${cell(builderCell)} | ${routing} | ${cell(merge)} | ${flagsOf(entry)} | ${cell(summary)} |`
      )
    }
    lines.push("")
  }
  return lines.join("\n")
}

/** Writes docs/commands.md; returns a line for the console. */
export const writeCommandDocs = async (): Promise<string> => {
  const { allDefinedSpecs } = await import("@effect-redis/client/Command")
  writeFileSync(commandDocsPath, renderCommandDocs(allDefinedSpecs()))
  return `docs -> ${commandDocsPath}`
}
