/**
 * The merge rule of the command catalog: how the views of several servers (Redis 7.0, Redis 8.0, Valkey 8.1, each
 * from `catalogFromServer`) become one catalog entry per command, and the check that an entry is consistent with
 * one server's view under that rule (used by test/catalog.test.ts on whichever server the suite runs).
 *
 * The client routes and runs a command by its catalog entry whichever server it is connected to, so wherever the
 * servers disagree the merge keeps what is safe on every server that has the command:
 *
 * - **Presence**: an entry for every command (subcommands as entries of their own) that any server reports;
 *   `servers` lists those that report it. The client never refuses a command because a server lacks it: the
 *   server answers, and that answer becomes `UnknownCommandError`.
 * - **Key positions** (each key spec's `begin_search` and `find_keys`, their number and order): must be identical on
 *   every server that has the command. One entry cannot route a command whose keys sit in different places on
 *   different servers, so the generator stops with an error rather than pick one (no such command today).
 * - **Key-spec flags** (`RW`, `OW`, `access`, `incomplete`...): the union. Nothing routes by them; the union says
 *   everything any server says it may do with the keys (`incomplete` on Redis 8's XREAD: some server warns that
 *   the spec may miss keys).
 * - **Command flags**: the flags that grant something (`readonly`: replicas may serve it and it may be replayed
 *   after a lost connection; `fast`, `loading`, `stale`, `allow_busy`, `no_auth`: the server runs it in those
 *   states) are kept only when every server sets them; every other flag warns (`write`, `blocking`, `admin`,
 *   `noscript`, `denyoom`, `movablekeys`...) and is kept when any server sets it. So WAIT, blocking on Redis 8.0
 *   and Valkey but not flagged so by Redis 7.0, is blocking (it blocks there too), and a command that writes on one
 *   server is never sent to a replica on another. A flag the rule does not know yet counts as a warning.
 * - **Tips**: `request_policy:*` and `response_policy:*` are kept only when every server gives the same one (the
 *   intersection: RANDOMKEY's `response_policy:special`, new in 7.2, is dropped, and MSETNX's `agg_min`, which
 *   Redis 7.0 gives and later servers removed, too). They are informational: the cluster routing table
 *   (`ClusterRouting.ts`) is what routes. Every other tip (`nondeterministic_output`...) warns and is the union.
 * - **Arity**: the loosest, so that no command line some server accepts is refused: the common value when all
 *   agree, else "at least" the smallest count (`ZRANK` is 3 on Redis 7.0 and -3 since WITHSCORE: -3).
 * - **Docs** (`group`, `since`, `summary`): from the newest Redis that has the command, else the newest Valkey
 *   (their wording differs; one source per entry keeps it coherent).
 * - **Deprecation**: set when any server's docs mark the command deprecated, worded as by the first of those in
 *   the docs order, with the servers that mark it (SLOWLOG GET is deprecated by Valkey 8.1 only).
 */
import type { CatalogEntry, CatalogServer, KeySpec } from "../../packages/client/src/internal/catalog/CatalogEntry.ts"
import { catalogServerLine } from "../../packages/client/src/internal/catalog/CommandCatalog.ts"
import type { ServerCatalogEntry } from "./fromServer.ts"

/** One server's view: who it is and its commands. */
export interface ServerView {
  readonly server: CatalogServer
  readonly entries: ReadonlyArray<ServerCatalogEntry>
}

/** Flags that grant the client or the server something: kept only when every server sets them. */
export const grantingFlags: ReadonlySet<string> = new Set(["readonly", "fast", "loading", "stale", "allow_busy", "no_auth"])

/** Tips that say how a cluster client should route and merge: kept only when every server gives the same. */
export const isPolicyTip = (tip: string): boolean => tip.startsWith("request_policy:") || tip.startsWith("response_policy:")

/** The release lines in docs order: newest Redis first, then newest Valkey. */
const docsOrder = (lines: ReadonlyArray<string>): Array<string> =>
  [...lines].sort((a, b) => {
    const [fa, va] = a.split(" "), [fb, vb] = b.split(" ")
    if (fa !== fb) return fa === "redis" ? -1 : 1
    const [ma = 0, na = 0] = va!.split(".").map(Number), [mb = 0, nb = 0] = vb!.split(".").map(Number)
    return mb !== ma ? mb - ma : nb - na
  })

/** The server (release line) an entry's docs come from. */
export const docsServerOf = (entry: Pick<CatalogEntry, "servers">): string => docsOrder(entry.servers)[0]!

const positionsOf = (specs: ReadonlyArray<KeySpec>): string => JSON.stringify(specs.map((spec) => [spec.begin, spec.find]))

const loosestArity = (arities: ReadonlyArray<number>): number =>
  arities.every((arity) => arity === arities[0]) ? arities[0]! : -Math.min(...arities.map(Math.abs))

const union = (lists: ReadonlyArray<ReadonlyArray<string>>): Array<string> => {
  const out: Array<string> = []
  for (const list of lists) for (const item of list) if (!out.includes(item)) out.push(item)
  return out
}

const mergeEntry = (name: string, views: ReadonlyArray<readonly [line: string, entry: ServerCatalogEntry]>): CatalogEntry => {
  const entries = views.map(([, entry]) => entry)
  const first = entries[0]!
  const positions = positionsOf(first.keySpecs)
  for (const [line, entry] of views) {
    if (positionsOf(entry.keySpecs) !== positions) {
      throw new Error(
        `${name}: the key specs of ${views[0]![0]} and ${line} put the keys in different places; one catalog entry ` +
          `cannot route it on both (extend the merge rule in scripts/catalog/mergeCatalogs.ts)`
      )
    }
  }
  const servers = views.map(([line]) => line)
  const byLine = new Map(views)
  const docs = byLine.get(docsServerOf({ servers }))!
  const all = <A>(f: (entry: ServerCatalogEntry) => ReadonlyArray<A>) => entries.map(f)
  const flags = union(all((entry) => entry.flags)).filter((flag) =>
    !grantingFlags.has(flag) || entries.every((entry) => entry.flags.includes(flag))
  ).sort()
  const tips = union(all((entry) => entry.tips)).filter((tip) =>
    !isPolicyTip(tip) || entries.every((entry) => entry.tips.includes(tip))
  ).sort()
  const keySpecs = first.keySpecs.map((spec, i): KeySpec => ({
    begin: spec.begin,
    find: spec.find,
    flags: union(all((entry) => entry.keySpecs[i]!.flags))
  }))
  const deprecatedBy = docsOrder(servers).filter((line) => byLine.get(line)!.deprecated !== undefined)
  const wording = deprecatedBy.length > 0 ? byLine.get(deprecatedBy[0]!)!.deprecated! : undefined
  return {
    name,
    group: docs.group,
    since: docs.since,
    summary: docs.summary,
    arity: loosestArity(entries.map((entry) => entry.arity)),
    flags,
    tips,
    keySpecs,
    servers,
    ...(wording !== undefined
      ? { deprecated: { since: wording.since, replacedBy: wording.replacedBy, servers: servers.filter((line) => deprecatedBy.includes(line)) } }
      : {})
  }
}

/** The catalog: every command of any view, merged by the rule above, sorted by name. */
export const mergeCatalogs = (views: ReadonlyArray<ServerView>): ReadonlyArray<CatalogEntry> => {
  const byName = new Map<string, Array<readonly [string, ServerCatalogEntry]>>()
  for (const view of views) {
    const line = catalogServerLine(view.server.flavour, view.server.version)
    for (const entry of view.entries) {
      const list = byName.get(entry.name) ?? []
      list.push([line, entry])
      byName.set(entry.name, list)
    }
  }
  return [...byName.keys()].sort().map((name) => mergeEntry(name, byName.get(name)!))
}

const arityAdmits = (merged: number, own: number): boolean =>
  own > 0 ? merged === own || (merged < 0 && -merged <= own) : merged < 0 && -merged <= -own

/**
 * How a merged entry departs from one server's own view of the command under the rule above (empty when it is
 * consistent): what test/catalog.test.ts asserts on the server it runs on.
 */
export const mergeProblems = (merged: CatalogEntry, own: ServerCatalogEntry, line: string): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const say = (what: string) => problems.push(`${merged.name}: ${what}`)
  if (!merged.servers.includes(line)) say(`${line} is not listed among its servers`)
  if (positionsOf(merged.keySpecs) !== positionsOf(own.keySpecs)) say("key positions differ from the server's key specs")
  else {
    own.keySpecs.forEach((spec, i) => {
      const missing = spec.flags.filter((flag) => !merged.keySpecs[i]!.flags.includes(flag))
      if (missing.length > 0) say(`key spec ${i} lacks the server's flags ${missing.join(",")}`)
    })
  }
  for (const flag of own.flags) if (!grantingFlags.has(flag) && !merged.flags.includes(flag)) say(`lacks the server's flag ${flag}`)
  for (const flag of merged.flags) if (grantingFlags.has(flag) && !own.flags.includes(flag)) say(`grants ${flag}, which the server does not`)
  for (const tip of own.tips) if (!isPolicyTip(tip) && !merged.tips.includes(tip)) say(`lacks the server's tip ${tip}`)
  for (const tip of merged.tips) if (isPolicyTip(tip) && !own.tips.includes(tip)) say(`has the tip ${tip}, which the server does not give`)
  if (!arityAdmits(merged.arity, own.arity)) say(`arity ${merged.arity} refuses command lines the server's arity ${own.arity} accepts`)
  if (docsServerOf(merged) === line) {
    if (merged.group !== own.group || merged.since !== own.since || merged.summary !== own.summary) say(`docs differ from ${line}'s`)
  }
  const marks = merged.deprecated?.servers.includes(line) ?? false
  if ((own.deprecated !== undefined) !== marks) say(`deprecation by ${line} is ${marks ? "listed but not marked" : "marked but not listed"}`)
  return problems
}
