/**
 * Server / admin commands that are harmless on shared servers (introspection, CONFIG GET and a no-op CONFIG SET,
 * the connection's own CLIENT state, a throw-away ACL user, MEMORY, LATENCY, SLOWLOG and COMMAND), on the shared
 * cluster and the shared standalone server under RESP2 and RESP3. Commands that change the server (FLUSHALL,
 * SHUTDOWN, CLIENT PAUSE, replication...) are in commands-server-admin.test.ts, on servers of their own.
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis, RedisClient, ReplyMismatch } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import { serverVersion } from "@effect-redis/testkit"
import { createHash } from "node:crypto"
import { Effect, type Layer, Option, Result } from "effect"
import { keysOf, runPrefix, targets } from "./support/targets.ts"

const prefix = runPrefix("server")
const server = serverVersion()
/**
 * Redis 7.2 (and Valkey, forked from 7.2.4) give new ACL users the `sanitize-payload` flag explicitly (redis#11279):
 * ACL GETUSER lists it and ACL LIST / ACL SAVE write it. Redis 7.0 leaves it implicit.
 */
const explicitSanitizePayload = server.flavour === "valkey" || server.atLeast("redis", "7.2")
/** Redis 7.2+ and Valkey document a `display_text` for every argument that is not a block or a one-of. */
const argumentDisplayText = server.flavour === "valkey" || server.atLeast("redis", "7.2")

// Standalone tests never touch RedisCluster (see `pinned`): the cast only widens the layer's type (the cluster's
// layer does provide it).
const withCluster = (layer: Layer.Layer<RedisClient, unknown>) => layer as Layer.Layer<RedisClient | RedisCluster, unknown>

const invalid = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (error) => error._tag)

describe.each(targets)("server commands on $name", ({ name, protocol, cluster: isCluster, layer: clientLayer, withClientName }) => {
  const layer = withCluster(clientLayer)
  const k = keysOf(prefix, name)

  /** Runs `effect` on one fixed node: on a cluster, the first primary (connection-bound commands need one connection). */
  const pinned = <A, E>(effect: Effect.Effect<A, E, RedisClient>): Effect.Effect<A, E, RedisClient | RedisCluster> =>
    isCluster
      ? Effect.gen(function*() {
        const cluster = yield* RedisCluster
        const snapshot = yield* cluster.topology
        return yield* Effect.provideService(effect, RedisClient, cluster.node(snapshot.shards[0]!.primary.address))
      })
      : effect

  it.live("INFO parses sections; infoRaw, TIME, LASTSAVE, LOLWUT", () =>
    Effect.gen(function*() {
      const all = yield* pinned(Redis.info())
      const mode = isCluster ? "cluster" : "standalone"
      // Valkey reports the Redis version it is compatible with (7.2.4) as redis_version, its own as valkey_version,
      // and server_mode instead of redis_mode.
      if (server.flavour === "valkey") {
        assert.strictEqual(all["server"]!["redis_version"], "7.2.4")
        assert.strictEqual(all["server"]!["server_name"], "valkey")
        assert.strictEqual(all["server"]!["valkey_version"], server.version)
        assert.strictEqual(all["server"]!["server_mode"], mode)
      } else {
        assert.strictEqual(all["server"]!["redis_version"], server.version)
        assert.strictEqual(all["server"]!["redis_mode"], mode)
      }
      assert.deepStrictEqual(Redis.serverIdentity(all), Option.some({
        name: server.flavour,
        version: server.version,
        redisVersion: server.flavour === "valkey" ? "7.2.4" : server.version,
        mode: Option.some(mode)
      }))
      assert.match(all["clients"]!["connected_clients"]!, /^\d+$/)
      assert.strictEqual(Object.getPrototypeOf(all), null)
      const two = yield* Redis.info(["server", "memory"])
      assert.deepStrictEqual(Object.keys(two).sort(), ["memory", "server"])
      assert.deepStrictEqual(Option.map(Redis.serverIdentity(two), (identity) => identity.version), Option.some(server.version))
      const one = yield* Redis.info("replication")
      assert.deepStrictEqual(Object.keys(one), ["replication"])
      assert.deepStrictEqual(Redis.serverIdentity(one), Option.none())
      assert.strictEqual(one["replication"]!["role"], "master")
      assert.deepStrictEqual(Object.keys(yield* Redis.info("nosuchsection")), [])
      const raw = yield* Redis.infoRaw("server")
      assert.isTrue(raw.startsWith("# Server\r\n"))

      const time = yield* Redis.time()
      assert.isTrue(Number.isSafeInteger(time.seconds) && Math.abs(time.seconds - Date.now() / 1000) < 30)
      assert.isTrue(Number.isSafeInteger(time.microseconds) && time.microseconds >= 0 && time.microseconds < 1_000_000)
      assert.strictEqual(Redis.serverTimeToDate({ seconds: 1_700_000_000, microseconds: 123_999 }).getTime(), 1_700_000_000_123)
      const lastsave = yield* Redis.lastsave()
      assert.isTrue(Number.isSafeInteger(lastsave) && lastsave > 1_600_000_000 && lastsave <= time.seconds + 1)

      assert.include(yield* Redis.lolwut(), "Redis ver.")
      assert.include(yield* Redis.lolwut({ version: 5 }), "Redis ver.")
      assert.strictEqual(yield* invalid(Redis.lolwut({ version: 0 })), "InvalidArgumentError")
    }).pipe(Effect.provide(layer)))

  it.live("ROLE of a primary; DBSIZE (on a cluster: the sum over the primaries)", () =>
    Effect.gen(function*() {
      const role = yield* Redis.role()
      assert.strictEqual(role.role, "master")
      if (role.role !== "master") return
      assert.isTrue(role.replicationOffset >= 0)
      assert.strictEqual(role.replicas.length, isCluster ? 1 : 0)
      for (const replica of role.replicas) {
        assert.strictEqual(typeof replica.host, "string")
        assert.isTrue(Number.isSafeInteger(replica.port) && replica.port > 0 && replica.offset >= 0)
      }

      // Keys with 30 different hash tags: every primary of the cluster holds some.
      const keys = Array.from({ length: 30 }, (_, i) => `${prefix}:${name}:{dbsize${i}}`)
      for (const key of keys) yield* Redis.set(key, "x")
      // Other test files write concurrently: compare a DBSIZE with per-node counts taken just before and after it,
      // retrying until nothing changed in between.
      const perNode = isCluster
        ? Effect.map(RedisCluster.onNodes("primaries", Redis.dbsize()), (results) =>
          Array.from(results.values(), (result) => Result.getOrThrow(result)))
        : Effect.map(Redis.dbsize(), (n) => [n])
      let checked = false
      for (let attempt = 0; attempt < 50 && !checked; attempt++) {
        const before = yield* perNode
        const total = yield* Redis.dbsize()
        const after = yield* perNode
        if (before.join() !== after.join()) continue
        assert.strictEqual(before.length, isCluster ? 3 : 1)
        for (const count of before) assert.isTrue(count > 0)
        assert.strictEqual(total, before.reduce((a, b) => a + b, 0))
        assert.isTrue(total >= keys.length)
        checked = true
      }
      assert.isTrue(checked, "the per-node counts never held still")
      assert.strictEqual(yield* Redis.del(keys), keys.length)
    }).pipe(Effect.provide(layer)))

  it.live("WAIT: standalone counts the replicas (none here); refused on a cluster", () =>
    Effect.gen(function*() {
      if (isCluster) {
        const error = yield* Effect.flip(Redis.wait(0, 10))
        assert.strictEqual(error._tag, "UnsupportedInClusterError")
      } else {
        assert.strictEqual(yield* Redis.wait(0, 10), 0)
      }
      assert.strictEqual(yield* invalid(Redis.wait(1, 0)), "InvalidArgumentError")
      assert.strictEqual(yield* invalid(Redis.wait(-1, 10)), "InvalidArgumentError")
    }).pipe(Effect.provide(layer)))

  it.live("CONFIG GET one or several patterns; CONFIG SET to the current value", () =>
    Effect.gen(function*() {
      const one = yield* Redis.configGet("slowlog-max-len")
      assert.deepStrictEqual(Object.keys(one), ["slowlog-max-len"])
      const current = one["slowlog-max-len"]!
      assert.match(current, /^\d+$/)
      const several = yield* Redis.configGet(["slowlog-max-len", "hz", "maxmemory-p*"])
      assert.deepStrictEqual(Object.keys(several).sort(), ["hz", "maxmemory-policy", "slowlog-max-len"])
      assert.strictEqual(several["slowlog-max-len"], current)
      assert.deepStrictEqual(Object.keys(yield* Redis.configGet("no-such-parameter*")), [])
      assert.isUndefined(yield* Redis.configSet({ "slowlog-max-len": current }))
      assert.isUndefined(yield* Redis.configSet([["slowlog-max-len", Number(current)]]))
      assert.strictEqual((yield* Redis.configGet("slowlog-max-len"))["slowlog-max-len"], current)
      assert.strictEqual(yield* invalid(Redis.configGet([])), "InvalidArgumentError")
      assert.strictEqual(yield* invalid(Redis.configSet({})), "InvalidArgumentError")
      const error = yield* Effect.flip(Redis.configSet({ "no-such-parameter": "1" }))
      assert.strictEqual(error._tag, "ReplyError")
    }).pipe(Effect.provide(layer)))

  it.live("CLIENT ID / INFO / LIST / GETNAME / GETREDIR / TRACKINGINFO / NO-EVICT on one connection", () =>
    pinned(Effect.gen(function*() {
      const id = yield* Redis.clientId()
      assert.isTrue(Number.isSafeInteger(id) && id > 0)
      const info = yield* Redis.clientInfo()
      assert.strictEqual(info.id, id)
      assert.strictEqual(info.cmd, "client|info")
      assert.strictEqual(info.resp, protocol)
      assert.strictEqual(info.db, 0)
      assert.strictEqual(info.user, "default")
      assert.strictEqual(info.name, "")
      assert.strictEqual(info.redir, -1)
      assert.strictEqual(info.multi, -1)
      assert.match(info.addr, /^127\.0\.0\.1:\d+$/)
      assert.match(info.laddr, /^127\.0\.0\.1:\d+$/)
      assert.isTrue(info.fd > 0 && info.age >= 0 && info.totMem > 0 && info.qbufFree >= 0)
      assert.strictEqual(Object.getPrototypeOf(info.extra), null)
      assert.isTrue(Option.isNone(yield* Redis.clientGetname()))

      const everyone = yield* Redis.clientList()
      assert.isTrue(everyone.some((client) => client.id === id))
      const mine = yield* Redis.clientList({ ids: [id, 999_999_999] })
      assert.deepStrictEqual(mine.map((client) => [client.id, client.addr, client.cmd]), [[id, info.addr, "client|list"]])
      assert.deepStrictEqual((yield* Redis.clientList({ ids: 999_999_999 })), [])
      assert.isTrue((yield* Redis.clientList({ type: "normal" })).some((client) => client.id === id))
      assert.isFalse((yield* Redis.clientList({ type: "pubsub" })).some((client) => client.id === id))
      assert.strictEqual(yield* invalid(Redis.clientList({ type: "normal", ids: [id] })), "InvalidArgumentError")
      assert.strictEqual(yield* invalid(Redis.clientList({ ids: [] })), "InvalidArgumentError")
      assert.strictEqual(yield* invalid(Redis.clientList({ type: "bogus" as "normal" })), "InvalidArgumentError")

      assert.strictEqual(yield* Redis.clientGetredir(), -1)
      assert.deepStrictEqual(yield* Redis.clientTrackinginfo(), { flags: ["off"], redirect: -1, prefixes: [] })

      yield* Redis.clientNoEvict(true)
      assert.include((yield* Redis.clientInfo()).flags, "e")
      yield* Redis.clientNoEvict(false)
      assert.notInclude((yield* Redis.clientInfo()).flags, "e")
    })).pipe(Effect.provide(layer)))

  it.live("CLIENT GETNAME with the client's name option", () =>
    pinned(Effect.gen(function*() {
      const clientName = `srv-${process.pid}`
      assert.deepStrictEqual(yield* Redis.clientGetname(), Option.some(clientName))
      assert.strictEqual((yield* Redis.clientInfo()).name, clientName)
    })).pipe(Effect.provide(withCluster(withClientName(`srv-${process.pid}`)))))

  it.live("ACL SETUSER / GETUSER / USERS / LIST / DRYRUN / CAT / GENPASS / WHOAMI / DELUSER", () =>
    Effect.gen(function*() {
      const user = `srv_${process.pid}_${protocol}_${isCluster ? "c" : "s"}`
      yield* Redis.aclDeluser(user)
      assert.isUndefined(yield* Redis.aclSetuser(user, ["on", ">pw1", "~k*", "&ch*", "+get", "(~x* +set)"]))
      const got = yield* Redis.aclGetuser(user)
      const flags = explicitSanitizePayload ? ["on", "sanitize-payload"] : ["on"]
      assert.deepStrictEqual(got, Option.some({
        flags,
        passwords: [createHash("sha256").update("pw1").digest("hex")],
        commands: "-@all +get",
        keys: "~k*",
        channels: "&ch*",
        selectors: [{ commands: "-@all +set", keys: "~x*", channels: "" }]
      }))
      assert.deepStrictEqual(yield* Redis.aclGetuser(`${user}_missing`), Option.none())
      assert.include(yield* Redis.aclUsers(), user)
      assert.isTrue((yield* Redis.aclList()).some((line) => line.startsWith(`user ${user} ${flags.join(" ")} #`)))

      assert.deepStrictEqual(yield* Redis.aclDryrun(user, "get", ["k1"]), Option.none())
      assert.deepStrictEqual(yield* Redis.aclDryrun(user, "set", ["x1", "v"]), Option.none())
      const denied = yield* Redis.aclDryrun(user, "set", ["k1", "v"])
      assert.isTrue(Option.isSome(denied) && denied.value.includes("no permissions"))
      assert.strictEqual((yield* Effect.flip(Redis.aclDryrun(`${user}_missing`, "get", ["k"])))._tag, "ReplyError")

      const categories = yield* Redis.aclCat()
      assert.includeMembers([...categories], ["keyspace", "read", "write", "hyperloglog", "admin"])
      assert.sameMembers([...(yield* Redis.aclCat("hyperloglog"))], ["pfadd", "pfcount", "pfdebug", "pfmerge", "pfselftest"])
      assert.match(yield* Redis.aclGenpass(), /^[0-9a-f]{64}$/)
      assert.match(yield* Redis.aclGenpass({ bits: 5 }), /^[0-9a-f]{2}$/)
      assert.strictEqual(yield* invalid(Redis.aclGenpass({ bits: 0 })), "InvalidArgumentError")
      assert.strictEqual(yield* invalid(Redis.aclGenpass({ bits: 4097 })), "InvalidArgumentError")
      assert.strictEqual(yield* Redis.aclWhoami(), "default")

      assert.strictEqual(yield* Redis.aclDeluser([user, `${user}_missing`]), 1)
      assert.strictEqual(yield* Redis.aclDeluser(user), 0)
      assert.deepStrictEqual(yield* Redis.aclGetuser(user), Option.none())
      assert.strictEqual(yield* invalid(Redis.aclDeluser([])), "InvalidArgumentError")
      assert.strictEqual(yield* invalid(Redis.aclLog({ count: -1 })), "InvalidArgumentError")
    }).pipe(Effect.provide(layer)))

  it.live("MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* Redis.memoryUsage(k("mem")), Option.none())
      yield* Redis.set(k("mem"), "x".repeat(1000))
      const usage = yield* Redis.memoryUsage(k("mem"))
      assert.isTrue(Option.isSome(usage) && usage.value > 1000 && usage.value < 2000)
      assert.deepStrictEqual(yield* Redis.memoryUsage(k("mem"), { samples: 0 }), usage)
      assert.deepStrictEqual(Redis.memoryUsage(k("mem"), { samples: 3 }).keyIndexes, [2])
      assert.strictEqual(yield* invalid(Redis.memoryUsage(k("mem"), { samples: -1 })), "InvalidArgumentError")
      yield* Redis.del(k("mem"))

      const stats = yield* pinned(Redis.memoryStats())
      assert.isTrue(typeof stats["peak.allocated"] === "number" && stats["peak.allocated"] > 0)
      assert.isTrue(typeof stats["dataset.percentage"] === "number")
      assert.isTrue(typeof stats["fragmentation"] === "number" && !Number.isInteger(stats["fragmentation"]))
      // Databases with keys are `db.<index>`; other `db.` names are plain metrics (`db.dict.rehashing.count`,
      // Redis 7.4+, 8.x and Valkey 8).
      for (const [metric, value] of Object.entries(stats)) {
        if (/^db\.\d+$/.test(metric)) {
          assert.isTrue(typeof value === "object")
          assert.isTrue(typeof (value as Record<string, number>)["overhead.hashtable.main"] === "number")
        } else {
          assert.isTrue(typeof value === "number" && !Number.isNaN(value), metric)
        }
      }
      assert.isTrue((yield* Redis.memoryDoctor()).length > 0)
      assert.include(yield* Redis.memoryMallocStats(), "jemalloc")
      assert.isUndefined(yield* Redis.memoryPurge())
    }).pipe(Effect.provide(layer)))

  it.live("LATENCY and SLOWLOG without touching the shared servers' state", () =>
    Effect.gen(function*() {
      assert.isTrue((yield* Redis.latencyDoctor()).length > 0)
      assert.deepStrictEqual(yield* Redis.latencyHistory(`no-such-event-${process.pid}`), [])
      for (const latest of yield* Redis.latencyLatest()) {
        assert.isTrue(latest.event.length > 0 && latest.timestamp > 0 && latest.maxMs >= latest.latestMs)
      }
      assert.deepStrictEqual(Object.keys(yield* Redis.latencyHistogram(["no-such-command"])), [])
      const histogram = yield* Redis.latencyHistogram(["ping", "config|get"])
      for (const [command, entry] of Object.entries(histogram)) {
        assert.include(["ping", "config|get"], command)
        assert.isTrue(entry.calls > 0)
        for (const [bound, count] of Object.entries(entry.histogramUsec)) {
          assert.isTrue(Number.isInteger(Number(bound)) && count > 0)
        }
      }
      const errorGraph = yield* Effect.flip(Redis.latencyGraph(`no-such-event-${process.pid}`))
      assert.strictEqual(errorGraph._tag, "ReplyError")

      const entries = yield* Redis.slowlogGet({ count: 2 })
      assert.isTrue(entries.length <= 2)
      for (const entry of entries) {
        assert.isTrue(entry.id >= 0 && entry.timestamp > 0 && entry.durationMicros >= 0 && entry.args.length > 0)
      }
      assert.isTrue((yield* Redis.slowlogLen()) >= 0)
      assert.strictEqual(yield* invalid(Redis.slowlogGet({ count: -2 })), "InvalidArgumentError")
    }).pipe(Effect.provide(layer)))

  it.live("COMMAND COUNT / INFO / DOCS / GETKEYS / GETKEYSANDFLAGS / LIST", () =>
    Effect.gen(function*() {
      const count = yield* Redis.commandCount()
      assert.isTrue(count > 200)
      const expectedGet: Redis.CommandInfo = {
        name: "get",
        arity: 2,
        flags: ["readonly", "fast"],
        firstKey: 1,
        lastKey: 1,
        step: 1,
        aclCategories: ["@read", "@string", "@fast"],
        tips: [],
        keySpecs: [{
          notes: Option.none(),
          flags: ["RO", "access"],
          beginSearch: { type: "index", index: 1 },
          findKeys: { type: "range", lastKey: 0, keyStep: 1, limit: 0 }
        }],
        subcommands: []
      }
      assert.deepStrictEqual(yield* Redis.commandInfo("get"), [Option.some(expectedGet)])
      const [set, missing] = yield* Redis.commandInfo(["set", "no-such-command"])
      assert.isTrue(Option.isNone(missing!))
      assert.isTrue(Option.isSome(set!) && Option.isSome(set.value.keySpecs[0]!.notes))
      const [migrate, zunionstore, config] = (yield* Redis.commandInfo(["migrate", "zunionstore", "config"])).map(Option.getOrThrow)
      assert.deepStrictEqual(migrate!.keySpecs[1]!.beginSearch, { type: "keyword", keyword: "KEYS", startFrom: -2 })
      assert.deepStrictEqual(zunionstore!.keySpecs[1]!.findKeys, { type: "keynum", keyNumIndex: 0, firstKey: 1, keyStep: 1 })
      assert.deepStrictEqual(zunionstore!.tips, [])
      const configGet = config!.subcommands.find((sub) => sub.name === "config|get")
      assert.deepStrictEqual(configGet?.flags, ["admin", "noscript", "loading", "stale"])
      assert.deepStrictEqual(
        config!.subcommands.find((sub) => sub.name === "config|set")?.tips,
        ["request_policy:all_nodes", "response_policy:all_succeeded"]
      )
      assert.strictEqual((yield* Redis.commandInfo()).length, count)
      assert.strictEqual(yield* invalid(Redis.commandInfo([])), "InvalidArgumentError")

      const docs = yield* Redis.commandDocs(["set", "getset", "no-such-command"])
      assert.deepStrictEqual(Object.keys(docs).sort(), ["getset", "set"])
      const setDocs = docs["set"]!
      // The wording changes between versions (Redis 7.0: "Set the string value of a key"; Redis 8.0 and Valkey 8.1:
      // "Sets the string value of a key, ignoring its type. ...").
      assert.isTrue(Option.isSome(setDocs.summary) && /string value of a key/i.test(setDocs.summary.value))
      assert.deepStrictEqual(setDocs.since, Option.some("1.0.0"))
      assert.strictEqual(setDocs.group, "string")
      assert.deepStrictEqual(setDocs.complexity, Option.some("O(1)"))
      assert.deepStrictEqual(setDocs.history[0], { version: "2.6.12", description: "Added the `EX`, `PX`, `NX` and `XX` options." })
      assert.deepStrictEqual(setDocs.docFlags, [])
      assert.deepStrictEqual(setDocs.arguments[0], {
        name: "key",
        type: "key",
        displayText: argumentDisplayText ? Option.some("key") : Option.none(),
        keySpecIndex: Option.some(0),
        token: Option.none(),
        summary: Option.none(),
        since: Option.none(),
        deprecatedSince: Option.none(),
        flags: [],
        arguments: []
      })
      const condition = setDocs.arguments[2]!
      assert.strictEqual(condition.type, "oneof")
      assert.deepStrictEqual(condition.flags, ["optional"])
      // Valkey 8.1 added SET ... IFEQ value.
      assert.deepStrictEqual(
        condition.arguments.map((arg) => Option.getOrNull(arg.token)),
        server.atLeast("valkey", "8.1") ? ["NX", "XX", "IFEQ"] : ["NX", "XX"]
      )
      assert.deepStrictEqual(docs["getset"]!.docFlags, ["deprecated"])
      assert.deepStrictEqual(docs["getset"]!.deprecatedSince, Option.some("6.2.0"))
      assert.isTrue(Option.isSome(docs["getset"]!.replacedBy))
      const client = (yield* Redis.commandDocs("client"))["client"]!
      assert.deepStrictEqual(client.subcommands["client|list"]?.since, Option.some("2.4.0"))
      assert.deepStrictEqual(Object.keys(yield* Redis.commandDocs("no-such-command")), [])

      assert.deepStrictEqual(yield* Redis.commandGetkeys(["MSET", "a", "1", "b", "2"]), ["a", "b"])
      assert.strictEqual((yield* Effect.flip(Redis.commandGetkeys(["PING"])))._tag, "ReplyError")
      assert.strictEqual(yield* invalid(Redis.commandGetkeys([])), "InvalidArgumentError")
      assert.deepStrictEqual(yield* Redis.commandGetkeysandflags(["LMOVE", "a", "b", "LEFT", "RIGHT"]), [
        { key: "a", flags: ["RW", "access", "delete"] },
        { key: "b", flags: ["RW", "insert"] }
      ])
      assert.strictEqual(yield* invalid(Redis.commandGetkeysandflags([])), "InvalidArgumentError")

      const names = yield* Redis.commandList()
      assert.includeMembers([...names], ["get", "client|list", "config|get"])
      const clientNames = yield* Redis.commandList({ filterBy: { pattern: "client*" } })
      assert.include(clientNames, "client|list")
      assert.isTrue(clientNames.every((command) => command.startsWith("client")))
      assert.sameMembers([...(yield* Redis.commandList({ filterBy: { aclcat: "hyperloglog" } }))], [
        "pfadd", "pfcount", "pfdebug", "pfmerge", "pfselftest"
      ])
      assert.deepStrictEqual(yield* Redis.commandList({ filterBy: { module: "no-such-module" } }), [])
      assert.strictEqual(yield* invalid(Redis.commandList({ filterBy: {} as { pattern: string } })), "InvalidArgumentError")
      assert.strictEqual(
        yield* invalid(Redis.commandList({ filterBy: { pattern: "a*", module: "m" } as { pattern: string } })),
        "InvalidArgumentError"
      )
    }).pipe(Effect.provide(layer)))
})

describe("server reply shapes the shared servers do not produce", () => {
  const decode = <A>(command: { readonly spec: { readonly reply: { readonly decode: (raw: never) => A } } }, raw: unknown) =>
    command.spec.reply.decode(raw as never)

  it("ROLE of a replica and of a sentinel", () => {
    assert.deepStrictEqual(decode(Redis.role(), ["slave", "127.0.0.1", 7000, "connected", 4242]), {
      role: "replica",
      masterHost: "127.0.0.1",
      masterPort: 7000,
      state: "connected",
      replicationOffset: 4242
    })
    assert.deepStrictEqual(decode(Redis.role(), ["master", 10, [["10.0.0.2", "7001", "9"]]]), {
      role: "master",
      replicationOffset: 10,
      replicas: [{ host: "10.0.0.2", port: 7001, offset: 9 }]
    })
    assert.deepStrictEqual(decode(Redis.role(), ["sentinel", ["mymaster", "other"]]), {
      role: "sentinel",
      masterNames: ["mymaster", "other"]
    })
    assert.instanceOf(decode(Redis.role(), ["leader", 1]), ReplyMismatch)
  })

  it("MODULE LIST with a module: RESP2 flat arrays and RESP3 maps", () => {
    const expected = [{ name: "probe", version: 3, path: "/tmp/probe.so", args: ["a", "b"] }]
    assert.deepStrictEqual(decode(Redis.moduleList(), [["name", "probe", "ver", 3, "path", "/tmp/probe.so", "args", ["a", "b"]]]), expected)
    assert.deepStrictEqual(
      decode(Redis.moduleList(), [new Map<unknown, unknown>([["name", "probe"], ["ver", 3], ["path", "/tmp/probe.so"], ["args", ["a", "b"]]])]),
      expected
    )
  })

  it("MEMORY STATS: RESP2 and RESP3 agree; db.<n> are records, other metrics numbers; entries of another shape are left out", () => {
    const resp2 = [
      "peak.allocated", 100, "dataset.percentage", "22.5", "db.0", ["overhead.hashtable.main", 72, "note", "text"],
      "db.dict.rehashing.count", 0, "some.future.text", "abc", "some.future.list", [1, 2, 3]
    ]
    const resp3 = new Map<unknown, unknown>([
      ["peak.allocated", 100], ["dataset.percentage", 22.5],
      ["db.0", new Map<unknown, unknown>([["overhead.hashtable.main", 72], ["note", "text"]])],
      ["db.dict.rehashing.count", 0], ["some.future.text", "abc"], ["some.future.list", [1, 2, 3]]
    ])
    const expected = { "peak.allocated": 100, "dataset.percentage": 22.5, "db.0": { "overhead.hashtable.main": 72 }, "db.dict.rehashing.count": 0 }
    for (const raw of [resp2, resp3]) {
      const stats = decode(Redis.memoryStats(), raw) as Redis.MemoryStats
      assert.deepStrictEqual(JSON.parse(JSON.stringify(stats)), expected)
    }
    assert.instanceOf(decode(Redis.memoryStats(), "not stats"), ReplyMismatch)
  })

  it("serverIdentity: Redis, Valkey, and a server that names itself otherwise", () => {
    const info = (server: Record<string, string>) => ({ server })
    assert.deepStrictEqual(
      Redis.serverIdentity(info({ redis_version: "7.0.15", redis_mode: "cluster" })),
      Option.some({ name: "redis", version: "7.0.15", redisVersion: "7.0.15", mode: Option.some("cluster") })
    )
    assert.deepStrictEqual(
      Redis.serverIdentity(info({ redis_version: "7.2.4", server_name: "valkey", valkey_version: "8.1.1", server_mode: "standalone" })),
      Option.some({ name: "valkey", version: "8.1.1", redisVersion: "7.2.4", mode: Option.some("standalone") })
    )
    assert.deepStrictEqual(
      Redis.serverIdentity(info({ redis_version: "7.2.0", server_name: "other" })),
      Option.some({ name: "other", version: "7.2.0", redisVersion: "7.2.0", mode: Option.none() })
    )
    assert.deepStrictEqual(Redis.serverIdentity({ memory: { used_memory: "1" } }), Option.none())
  })

  it("ACL GETUSER of Redis 6 (key and channel patterns as arrays)", () => {
    assert.deepStrictEqual(
      decode(Redis.aclGetuser("u"), ["flags", ["on"], "passwords", [], "commands", "+@all", "keys", ["~a*", "~b*"], "channels", ["&*"]]),
      Option.some({ flags: ["on"], passwords: [], commands: "+@all", keys: "~a* ~b*", channels: "&*", selectors: [] })
    )
  })

  it("ACL LOG entries of Redis 7.2 (entry id and timestamps)", () => {
    const clientInfo =
      "id=3 addr=127.0.0.1:1 laddr=127.0.0.1:2 fd=8 name= age=1 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1 rbp=1 obl=0 oll=0 omem=0 tot-mem=9 events=r cmd=get user=u redir=-1 resp=3"
    const entry = new Map<unknown, unknown>([
      ["count", 2], ["reason", "key"], ["context", "toplevel"], ["object", "x"], ["username", "u"], ["age-seconds", 1.5],
      ["client-info", clientInfo], ["entry-id", 7], ["timestamp-created", 1_700_000_000_000], ["timestamp-last-updated", 1_700_000_000_500]
    ])
    const [decoded] = decode(Redis.aclLog(), [entry]) as ReadonlyArray<Redis.AclLogEntry>
    assert.deepStrictEqual({ ...decoded!, clientInfo: decoded!.clientInfo.cmd }, {
      count: 2,
      reason: "key",
      context: "toplevel",
      object: "x",
      username: "u",
      ageSeconds: 1.5,
      clientInfo: "get",
      entryId: Option.some(7),
      timestampCreated: Option.some(1_700_000_000_000),
      timestampLastUpdated: Option.some(1_700_000_000_500)
    })
  })

  it("CLIENT LIST keeps fields of later servers in `extra`", () => {
    const line =
      "id=3 addr=127.0.0.1:1 laddr=127.0.0.1:2 fd=8 name=n age=1 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1 rbp=1 obl=0 oll=0 omem=0 tot-mem=9 events=r cmd=client|list user=default redir=-1 resp=2 lib-name=x lib-ver=1.0\n"
    const [client] = decode(Redis.clientList(), line) as ReadonlyArray<{ readonly id: number; readonly extra: object }>
    assert.strictEqual(client!.id, 3)
    assert.deepStrictEqual({ ...client!.extra }, { "lib-name": "x", "lib-ver": "1.0" })
    assert.instanceOf(decode(Redis.clientList(), "id=3 addr=x\n"), ReplyMismatch)
  })
})
