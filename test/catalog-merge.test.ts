/**
 * The catalog's merge rule (scripts/catalog/mergeCatalogs.ts) on small made-up server views: what is kept where
 * servers disagree, and that the per-server consistency check used on the real servers (test/catalog.test.ts)
 * notices an entry that departs from the rule.
 */
import { assert, describe, it } from "@effect/vitest"
import type { ServerCatalogEntry } from "../scripts/catalog/fromServer.ts"
import { mergeCatalogs, mergeProblems, type ServerView } from "../scripts/catalog/mergeCatalogs.ts"

const command = (name: string, overrides: Partial<ServerCatalogEntry> = {}): ServerCatalogEntry => ({
  name,
  group: "generic",
  since: "1.0.0",
  summary: `${name} summary`,
  arity: 2,
  flags: [],
  tips: [],
  keySpecs: [],
  ...overrides
})

const key = (flags: ReadonlyArray<string>) => ({ begin: { index: 1 }, find: { lastKey: 0, step: 1, limit: 0 }, flags })

const view = (flavour: "redis" | "valkey", version: string, entries: ReadonlyArray<ServerCatalogEntry>): ServerView => ({
  server: { flavour, version },
  entries
})

describe("the catalog merge rule", () => {
  const r7 = view("redis", "7.0.15", [
    command("GET", { flags: ["fast", "readonly"], keySpecs: [key(["RO", "access"])], summary: "old words" }),
    command("WAIT", { flags: ["noscript"], tips: ["request_policy:all_shards"] }),
    command("ZRANK", { arity: 3 }),
    command("ODD", { flags: ["readonly"] })
  ])
  const r8 = view("redis", "8.0.2", [
    command("GET", { flags: ["fast", "readonly"], keySpecs: [key(["RO", "access", "incomplete"])], summary: "new words" }),
    command("WAIT", { flags: ["blocking"], tips: ["request_policy:all_shards", "nondeterministic_output"] }),
    command("ZRANK", { arity: -3 }),
    command("ODD", { flags: ["write"] }),
    command("HGETEX", { flags: ["write"] })
  ])
  const v8 = view("valkey", "8.1.1", [
    command("GET", { flags: ["readonly"], keySpecs: [key(["RO", "access"])], summary: "valkey words" }),
    command("WAIT", { flags: ["blocking"], tips: ["request_policy:all_shards", "response_policy:agg_min"] }),
    command("ZRANK", { arity: -3 }),
    command("ODD", { flags: ["readonly"], deprecated: { since: "8.1.0", replacedBy: "EVEN" } })
  ])
  const merged = new Map(mergeCatalogs([r7, r8, v8]).map((entry) => [entry.name, entry]))

  it("lists every command of any server, with the servers that have it", () => {
    assert.deepStrictEqual([...merged.keys()], ["GET", "HGETEX", "ODD", "WAIT", "ZRANK"])
    assert.deepStrictEqual(merged.get("GET")!.servers, ["redis 7.0", "redis 8.0", "valkey 8.1"])
    assert.deepStrictEqual(merged.get("HGETEX")!.servers, ["redis 8.0"])
  })

  it("keeps granting flags only when every server grants them, warning flags when any server warns", () => {
    assert.deepStrictEqual(merged.get("GET")!.flags, ["readonly"])
    assert.deepStrictEqual(merged.get("ODD")!.flags, ["write"])
    assert.deepStrictEqual(merged.get("WAIT")!.flags, ["blocking", "noscript"])
  })

  it("keeps policy tips only when every server gives them, other tips when any does; key-spec flags are the union", () => {
    assert.deepStrictEqual(merged.get("WAIT")!.tips, ["nondeterministic_output", "request_policy:all_shards"])
    assert.deepStrictEqual(merged.get("GET")!.keySpecs[0]!.flags, ["RO", "access", "incomplete"])
  })

  it("takes the loosest arity, the newest Redis's docs, and records who deprecates a command", () => {
    assert.strictEqual(merged.get("ZRANK")!.arity, -3)
    assert.strictEqual(merged.get("GET")!.summary, "new words")
    assert.deepStrictEqual(merged.get("ODD")!.deprecated, { since: "8.1.0", replacedBy: "EVEN", servers: ["valkey 8.1"] })
  })

  it("refuses servers that put a command's keys in different places", () => {
    const other = view("valkey", "8.1.1", [command("GET", { keySpecs: [{ ...key(["RO"]), begin: { index: 2 } }] })])
    assert.throws(() => mergeCatalogs([r7, other]), /different places/)
  })

  it("the consistency check accepts the merged entries and reports departures from the rule", () => {
    for (const v of [r7, r8, v8]) {
      const line = `${v.server.flavour} ${v.server.version.split(".").slice(0, 2).join(".")}`
      for (const own of v.entries) assert.deepStrictEqual(mergeProblems(merged.get(own.name)!, own, line), [], `${line} ${own.name}`)
    }
    const get = merged.get("GET")!
    const own = r8.entries[0]!
    assert.isNotEmpty(mergeProblems({ ...get, servers: ["redis 7.0"] }, own, "redis 8.0"))
    assert.isNotEmpty(mergeProblems({ ...get, flags: ["readonly", "write"] }, { ...own, flags: ["write"] }, "redis 8.0"))
    assert.isNotEmpty(mergeProblems({ ...get, flags: [] }, { ...own, flags: ["write"] }, "redis 8.0"))
    assert.isNotEmpty(mergeProblems({ ...get, arity: 3 }, { ...own, arity: -3 }, "redis 8.0"))
    assert.isNotEmpty(mergeProblems({ ...get, summary: "other" }, own, "redis 8.0"))
    assert.isNotEmpty(mergeProblems({ ...get, tips: ["response_policy:special"] }, own, "redis 8.0"))
  })
})
