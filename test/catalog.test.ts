/**
 * The command catalog against the real server and the builders against the catalog. The catalog is the union of
 * Redis 7.0, Redis 8.0 and Valkey 8.1; on whichever of them the suite runs: every command the server reports is in
 * the catalog with this server listed and metadata consistent with the server's under the merge rule
 * (scripts/catalog/mergeCatalogs.ts), and the catalog attributes exactly those commands to it. docs/commands.md is
 * current, every command has a builder or a documented reason, builders agree with the catalog on read-only and key
 * positions, and the key-spec evaluator finds the same keys as the server's COMMAND GETKEYS. Untyped `Redis.call`
 * is routed by the catalog on a real cluster.
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis, RedisNode, type RespArg } from "@effect-redis/client"
import { allDefinedSpecs, CommandFlags, hasFlag, keyIndexes } from "@effect-redis/client/Command"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { Effect, Result } from "effect"
import { readFileSync } from "node:fs"
import { inject } from "vitest"
import { serverVersion } from "@effect-redis/testkit"
import {
  catalogEntries,
  catalogEntry,
  catalogKeyIndexes,
  catalogServerLine,
  catalogServers
} from "../packages/client/src/internal/catalog/CommandCatalog.ts"
import { withoutBuilder } from "../packages/client/src/internal/catalog/WithoutBuilder.ts"
import { clusterRouting } from "../packages/client/src/internal/ClusterRouting.ts"
import { buildersByCommand, commandDocsPath, renderCommandDocs } from "../scripts/catalog/commandDocs.ts"
import { catalogFromServer } from "../scripts/catalog/fromServer.ts"
import { mergeProblems } from "../scripts/catalog/mergeCatalogs.ts"

const standalone = RedisNode.layer({ url: inject("standaloneUrl"), protocol: 3 })
const cluster = RedisCluster.layer({ startupNodes: inject("clusterNodes") })
const server = serverVersion()
const line = catalogServerLine(server.flavour, server.version)
const regenerate = "regenerate with scripts/generate-catalog.ts"

/** This server's own view of its commands, from its COMMAND INFO and COMMAND DOCS. */
const ownView = Effect.gen(function*() {
  return catalogFromServer(yield* Redis.call(["COMMAND", "INFO"]), yield* Redis.call(["COMMAND", "DOCS"]))
}).pipe(Effect.provide(standalone))

describe("the command catalog", () => {
  it(`was generated from ${server.label}'s release line (${line}) among the others`, () => {
    assert.include(catalogServers.map((known) => catalogServerLine(known.flavour, known.version)), line, regenerate)
  })

  it.live(`has every command ${server.label} reports, listing ${line}, with metadata consistent with the server's (${regenerate})`, () =>
    Effect.gen(function*() {
      const problems: Array<string> = []
      for (const own of yield* ownView) {
        const entry = catalogEntry(own.name)
        if (entry === undefined) problems.push(`${own.name}: not in the catalog`)
        else problems.push(...mergeProblems(entry, own, line))
      }
      assert.deepStrictEqual(problems, [])
    }))

  it.live(`attributes to ${line} exactly the commands ${server.label} reports (${regenerate})`, () =>
    Effect.gen(function*() {
      const reported = (yield* ownView).map((own) => own.name)
      const attributed = catalogEntries.filter((entry) => entry.servers.includes(line)).map((entry) => entry.name)
      assert.deepStrictEqual(attributed, reported)
    }))

  it("docs/commands.md is current (regenerate with scripts/generate-command-docs.ts)", () => {
    assert.strictEqual(readFileSync(commandDocsPath, "utf8"), renderCommandDocs(allDefinedSpecs()))
  })

  it("every command has a typed builder or a documented reason, never both, and every reason is for a real command", () => {
    const builders = buildersByCommand()
    const missing = catalogEntries.filter((entry) => !builders.has(entry.name) && withoutBuilder[entry.name] === undefined)
    assert.deepStrictEqual(missing.map((entry) => entry.name), [])
    const both = Object.keys(withoutBuilder).filter((name) => builders.has(name))
    assert.deepStrictEqual(both, [])
    const unknown = Object.keys(withoutBuilder).filter((name) => catalogEntry(name) === undefined)
    assert.deepStrictEqual(unknown, [])
  })

  it("every builder names a catalog command and never treats a write as read-only (replicas, replays)", () => {
    const problems: Array<string> = []
    for (const spec of allDefinedSpecs()) {
      const entry = catalogEntry(spec.name)
      if (entry === undefined) {
        problems.push(`${spec.name}: not in the catalog`)
        continue
      }
      // Read-only builders may be sent to replicas and replayed: never for a command the server flags write. The
      // other way round, PING/ECHO/SCRIPT EXISTS are safe to replay although the server does not flag them.
      // XREAD with `$` is deliberately not readonly: it must not be replayed (see Redis.xread).
      const readonly = hasFlag(spec.flags, CommandFlags.readonly)
      if (entry.flags.includes("readonly") && !readonly && spec.name !== "XREAD") problems.push(`${spec.name}: the server flags it readonly`)
      if (readonly && (entry.flags.includes("write") || entry.flags.includes("admin"))) problems.push(`${spec.name}: flagged readonly but the server says ${entry.flags.join(",")}`)
      if (entry.flags.includes("write") && !hasFlag(spec.flags, CommandFlags.write)) problems.push(`${spec.name}: the server flags it write`)
      if (entry.flags.includes("blocking") && !["XREAD", "XREADGROUP"].includes(spec.name) && !hasFlag(spec.flags, CommandFlags.blocking)) {
        problems.push(`${spec.name}: the server flags it blocking`)
      }
    }
    assert.deepStrictEqual(problems, [])
  })

  it("builders with fixed key ranges put their keys where the server's key specs do", () => {
    const problems: Array<string> = []
    // A long enough command line of distinct placeholder arguments.
    const args: Array<RespArg> = Array.from({ length: 9 }, (_, i) => `a${i}`)
    for (const spec of allDefinedSpecs()) {
      const entry = catalogEntry(spec.name)
      if (entry === undefined || typeof spec.keys === "function" || entry.flags.includes("movablekeys")) continue
      const line = [spec.name.split(" ")[0]!, ...(spec.name.includes(" ") ? [spec.name.split(" ")[1]!] : []), ...args.slice(2)]
      const ours = keyIndexes(spec.keys, line)
      const server = catalogKeyIndexes(entry, line)
      if (JSON.stringify(ours) !== JSON.stringify(server)) problems.push(`${spec.name}: ${JSON.stringify(ours)} vs ${JSON.stringify(server)}`)
    }
    assert.deepStrictEqual(problems, [])
  })

  it("every routing table entry is a catalog command", () => {
    assert.deepStrictEqual(Object.keys(clusterRouting).filter((name) => catalogEntry(name) === undefined), [])
  })

  it.live("the key-spec evaluator finds the keys COMMAND GETKEYS finds, for commands whose keys move and for the newer servers' commands", () =>
    Effect.gen(function*() {
      const lines: ReadonlyArray<ReadonlyArray<RespArg>> = [
        ["ZUNIONSTORE", "dest", 2, "a", "b", "WEIGHTS", 1, 2],
        ["ZINTER", 3, "a", "b", "c", "WITHSCORES"],
        ["XREAD", "COUNT", 2, "STREAMS", "s1", "s2", "0", "0"],
        ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s1", ">"],
        ["EVAL", "return 1", 2, "k1", "k2", "arg"],
        ["FCALL", "f", 1, "k1", "arg"],
        ["MSET", "k1", "v1", "k2", "v2"],
        ["LMPOP", 2, "l1", "l2", "LEFT", "COUNT", 3],
        ["BLMPOP", 0, 2, "l1", "l2", "RIGHT"],
        ["GEORADIUS", "g", 0, 0, 1, "km", "STORE", "dest"],
        ["MIGRATE", "127.0.0.1", 1, "", 0, 10, "KEYS", "k1", "k2"],
        ["SINTERCARD", 2, "s1", "s2", "LIMIT", 1],
        ["OBJECT", "ENCODING", "k"],
        ["MEMORY", "USAGE", "k"],
        ["BITOP", "AND", "dest", "a", "b"],
        ["BLPOP", "l1", "l2", 0],
        ["ZRANGESTORE", "dest", "src", 0, -1],
        // Commands of newer servers, where this server has them.
        ...(server.atLeast("redis", "7.4") ? [["HEXPIRE", "h", 10, "NX", "FIELDS", 2, "f1", "f2"]] : []),
        ...(server.atLeast("redis", "8.0")
          ? [["HGETEX", "h", "EX", 10, "FIELDS", 1, "f"], ["HSETEX", "h", "FNX", "FIELDS", 1, "f", "v"], ["VSIM", "vs", "ELE", "e", "COUNT", 3]]
          : []),
        ...(server.flavour === "valkey" ? [["SET", "k", "v", "IFEQ", "old"]] : [])
      ]
      for (const line of lines) {
        const server = (yield* Redis.call(["COMMAND", "GETKEYS", ...line])) as ReadonlyArray<string>
        const entry = catalogEntry(line[0] === "OBJECT" || line[0] === "MEMORY" ? `${line[0]} ${line[1]}` : String(line[0]))!
        const ours = catalogKeyIndexes(entry, line).map((i) => String(line[i]))
        assert.deepStrictEqual([...ours].sort(), [...server].sort(), String(line[0]))
      }
    }).pipe(Effect.provide(standalone)))
})

describe("untyped calls on a cluster are routed by the catalog", () => {
  it.live("keyed commands go to their slot; DBSIZE sums the primaries; MGET and DEL across slots are split", () =>
    Effect.gen(function*() {
      const prefix = `catalog:${process.pid}:${Date.now()}`
      const keys = Array.from({ length: 12 }, (_, i) => `${prefix}:${i}`)
      assert.isAbove(new Set(keys.map(keySlot)).size, 6)
      for (const key of keys) assert.strictEqual(yield* Redis.call(["SET", key, key]), "OK")
      assert.deepStrictEqual(yield* Redis.call(["MGET", ...keys]), keys)
      const perNode = yield* RedisCluster.onNodes("primaries", Redis.call(["DBSIZE"]))
      const total = [...perNode.values()].reduce((sum, result) => sum + (Result.getOrThrow(result) as number), 0)
      assert.strictEqual(yield* Redis.call(["DBSIZE"]), total)
      assert.strictEqual(yield* Redis.call(["ZUNIONSTORE", `{${prefix}}d`, 2, `{${prefix}}a`, `{${prefix}}b`]), 0)
      assert.strictEqual(yield* Redis.call(["DEL", ...keys]), keys.length)
      // SCRIPT EXISTS asks every primary; untyped replies stay 1/0.
      const sha = yield* Redis.scriptLoad("return 'catalog'")
      assert.deepStrictEqual(yield* Redis.call(["SCRIPT", "EXISTS", sha, "0".repeat(40)]), [1, 0])
      // Unsupported commands fail before anything is sent.
      const error = yield* Effect.flip(Redis.call(["SWAPDB", 0, 1]))
      assert.strictEqual(error._tag, "UnsupportedInClusterError")
    }).pipe(Effect.provide(cluster)))
})
