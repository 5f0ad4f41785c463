/**
 * Server / admin commands that change the server (FLUSHALL, SWAPDB, SHUTDOWN, CLIENT PAUSE / KILL / UNBLOCK,
 * REPLICAOF, FAILOVER, WAIT, SAVE, MODULE, CONFIG REWRITE / RESETSTAT, ACL LOAD / SAVE / LOG, SLOWLOG / LATENCY
 * RESET), each test on standalone servers of its own, under RESP2 and RESP3.
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis, RedisClient, type RedisClientService, RedisNode } from "@effect-redis/client"
import { LocalServer, type LocalServerOptions, type LocalServerService, serverVersion } from "@effect-redis/testkit"
import { Effect, Fiber, Option, Redacted, type Scope } from "effect"
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const server = serverVersion()
/** Redis 7.2+ and Valkey write new users' `sanitize-payload` flag out (ACL GETUSER, ACL LIST, ACL SAVE); 7.0 does not. */
const explicitSanitizePayload = server.flavour === "valkey" || server.atLeast("redis", "7.2")
/**
 * Valkey 8.1 renamed `slowlog-max-len` to `commandlog-slow-execution-max-len`: the old name still works in CONFIG
 * GET / SET, but CONFIG REWRITE writes the new one.
 */
const slowlogMaxLenInFile = server.atLeast("valkey", "8.1") ? "commandlog-slow-execution-max-len" : "slowlog-max-len"

const invalid = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (error) => error._tag)

/** Polls `effect` every 20 ms until `done` holds (fails the test after `timeoutMs`). */
const until = <A, E, R>(effect: Effect.Effect<A, E, R>, done: (a: A) => boolean, timeoutMs = 10_000): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const value = yield* effect
      if (done(value)) return value
      if (Date.now() > deadline) return yield* Effect.die(new Error(`condition not reached in ${timeoutMs} ms: ${JSON.stringify(value)}`))
      yield* Effect.sleep("20 millis")
    }
  })

describe.each([2, 3] as const)("server admin commands over RESP%s", (protocol) => {
  const connect = (server: LocalServerService, options: Omit<RedisNode.RedisNodeOptions, "url" | "protocol"> = {}) =>
    RedisNode.make({ url: server.url, protocol, ...options })

  /** Starts a server, runs `body` with a client of it as `RedisClient`; both are closed afterwards. */
  const withServer = <A, E>(
    options: LocalServerOptions,
    body: (server: LocalServerService) => Effect.Effect<A, E, RedisClient | Scope.Scope>
  ) =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* LocalServer.make(options)
      const client = yield* connect(server)
      return yield* Effect.provideService(body(server), RedisClient, client)
    }))

  const on = <A, E>(client: RedisClientService, effect: Effect.Effect<A, E, RedisClient>) =>
    Effect.provideService(effect, RedisClient, client)

  it.live("FLUSHDB / FLUSHALL / SWAPDB / DBSIZE", () =>
    withServer({}, (server) =>
      Effect.gen(function*() {
        const db1 = yield* connect(server, { database: 1 })
        yield* Redis.set("a", "1")
        yield* Redis.set("b", "2")
        yield* on(db1, Redis.set("c", "3"))
        assert.strictEqual(yield* Redis.dbsize(), 2)
        assert.strictEqual(yield* on(db1, Redis.dbsize()), 1)

        assert.isUndefined(yield* Redis.swapdb(0, 1))
        assert.strictEqual(yield* Redis.dbsize(), 1)
        assert.deepStrictEqual(yield* Redis.get("c"), Option.some("3"))
        assert.deepStrictEqual(yield* on(db1, Redis.get("a")), Option.some("1"))

        assert.isUndefined(yield* Redis.flushdb({ mode: "SYNC" }))
        assert.strictEqual(yield* Redis.dbsize(), 0)
        assert.strictEqual(yield* on(db1, Redis.dbsize()), 2)
        yield* Redis.set("x", "1")
        assert.isUndefined(yield* Redis.flushall({ mode: "ASYNC" }))
        assert.strictEqual(yield* Redis.dbsize(), 0)
        assert.strictEqual(yield* on(db1, Redis.dbsize()), 0)
        yield* Redis.set("x", "1")
        assert.isUndefined(yield* Redis.flushdb())
        assert.isUndefined(yield* Redis.flushall({ mode: "SYNC" }))
        assert.isUndefined(yield* Redis.flushall())
        assert.isUndefined(yield* Redis.flushdb({ mode: "ASYNC" }))

        assert.strictEqual(yield* invalid(Redis.flushall({ mode: "LAZY" as "SYNC" })), "InvalidArgumentError")
        assert.strictEqual(yield* invalid(Redis.flushdb({ mode: "LAZY" as "SYNC" })), "InvalidArgumentError")
        assert.strictEqual(yield* invalid(Redis.swapdb(-1, 0)), "InvalidArgumentError")
        assert.strictEqual(yield* invalid(Redis.swapdb(0, 1.5)), "InvalidArgumentError")
        assert.strictEqual((yield* Effect.flip(Redis.swapdb(0, 99)))._tag, "ReplyError")
      })))

  it.live("SAVE / LASTSAVE / BGSAVE [SCHEDULE] / BGREWRITEAOF", () =>
    withServer({}, () =>
      Effect.gen(function*() {
        const persistence = Effect.map(Redis.info("persistence"), (info) => info["persistence"]!)
        const idle = (p: Readonly<Record<string, string>>) =>
          p["rdb_bgsave_in_progress"] === "0" && p["aof_rewrite_in_progress"] === "0" && p["aof_rewrite_scheduled"] === "0"
        yield* Redis.set("k", "v")
        assert.isUndefined(yield* Redis.save())
        const { seconds } = yield* Redis.time()
        const lastsave = yield* Redis.lastsave()
        assert.isTrue(lastsave >= seconds - 1 && lastsave <= seconds)
        assert.strictEqual((yield* persistence)["rdb_changes_since_last_save"], "0")

        assert.strictEqual(yield* Redis.bgsave(), "Background saving started")
        yield* until(persistence, idle)
        assert.strictEqual(yield* Redis.bgrewriteaof(), "Background append only file rewriting started")
        // While the rewrite runs a plain BGSAVE would fail; SCHEDULE queues it (or starts it when the rewrite is over).
        assert.include(["Background saving scheduled", "Background saving started"], yield* Redis.bgsave({ schedule: true }))
        yield* until(persistence, idle)
        assert.strictEqual((yield* persistence)["rdb_last_bgsave_status"], "ok")
      })))

  it.live("SHUTDOWN: ABORT without a shutdown fails; NOSAVE NOW stops the server (the connection closes)", () =>
    withServer({}, (server) =>
      Effect.gen(function*() {
        assert.strictEqual((yield* Effect.flip(Redis.shutdown({ abort: true })))._tag, "ReplyError")
        assert.strictEqual(yield* invalid(Redis.shutdown({ save: true, nosave: true })), "InvalidArgumentError")
        assert.strictEqual(yield* invalid(Redis.shutdown({ abort: true, now: true })), "InvalidArgumentError")
        assert.strictEqual(server.process.state, "running")
        const error = yield* Effect.flip(Redis.shutdown({ nosave: true, now: true, force: true }))
        assert.strictEqual(error._tag, "ConnectionError")
        yield* until(Effect.sync(() => server.process.state), (state) => state === "exited")
      })))

  it.live("CLIENT PAUSE WRITE holds writes only, CLIENT PAUSE ALL everything; CLIENT UNPAUSE", () =>
    withServer({}, (server) =>
      Effect.gen(function*() {
        const other = yield* connect(server)
        yield* Redis.set("k", "v0")
        assert.isUndefined(yield* Redis.clientPause(5_000, { mode: "WRITE" }))
        let written = false
        const write = yield* Effect.forkChild(on(other, Redis.set("k", "v1")).pipe(Effect.tap(() => Effect.sync(() => (written = true)))))
        // Reads go on (from another connection: `other` waits behind its paused SET).
        assert.deepStrictEqual(yield* Redis.get("k"), Option.some("v0"))
        yield* Effect.sleep("150 millis")
        assert.isFalse(written)
        const unpausedAt = Date.now()
        assert.isUndefined(yield* Redis.clientUnpause())
        yield* Fiber.join(write)
        assert.isTrue(written && Date.now() - unpausedAt < 1_000)
        assert.deepStrictEqual(yield* Redis.get("k"), Option.some("v1"))

        const pausedAt = Date.now()
        yield* Redis.clientPause(300)
        assert.deepStrictEqual(yield* on(other, Redis.get("k")), Option.some("v1"))
        assert.isAtLeast(Date.now() - pausedAt, 250)

        assert.strictEqual(yield* invalid(Redis.clientPause(-1)), "InvalidArgumentError")
        assert.strictEqual(yield* invalid(Redis.clientPause(10, { mode: "READ" as "ALL" })), "InvalidArgumentError")
      })))

  it.live("CLIENT UNBLOCK [ERROR] a blocked client; CLIENT KILL by filters and by address", () =>
    withServer({}, (server) =>
      Effect.gen(function*() {
        const blocked = yield* connect(server, { clientName: "blocked" })
        // Blocking builders run on a dedicated connection of the client: find it by its name and its blocked flag.
        const blockedConnection = Effect.map(Redis.clientList(), (clients) => clients.find((c) => c.name === "blocked" && c.flags.includes("b")))
        const timesOut = yield* Effect.forkChild(on(blocked, Redis.blpop("no-such-list", 0)))
        const blockedId = (yield* until(blockedConnection, (c) => c !== undefined))!.id
        assert.isTrue(yield* Redis.clientUnblock(blockedId))
        assert.deepStrictEqual(yield* Fiber.join(timesOut), Option.none())
        // The dedicated connection went back to the client's idle ones and is leased again.
        const fails = yield* Effect.forkChild(on(blocked, Redis.blpop("no-such-list", 0)))
        assert.strictEqual((yield* until(blockedConnection, (c) => c !== undefined))!.id, blockedId)
        assert.isTrue(yield* Redis.clientUnblock(blockedId, { error: true }))
        const error = yield* Effect.flip(Fiber.join(fails))
        assert.strictEqual(error._tag, "ReplyError")
        assert.include(String((error as { readonly message?: string }).message), "UNBLOCKED")
        assert.isFalse(yield* Redis.clientUnblock(blockedId))
        assert.strictEqual(yield* invalid(Redis.clientUnblock(0)), "InvalidArgumentError")

        const me = yield* Redis.clientInfo()
        const victim = yield* Effect.flatMap(connect(server, { clientName: "victim" }), (c) => on(c, Redis.clientInfo()))
        assert.strictEqual(victim.name, "victim")
        assert.strictEqual(yield* Redis.clientKill({ id: victim.id }), 1)
        assert.strictEqual(yield* Redis.clientKill({ id: victim.id }), 0)
        const second = yield* Effect.flatMap(connect(server), (c) => on(c, Redis.clientInfo()))
        assert.strictEqual(
          yield* Redis.clientKill({ addr: second.addr, laddr: second.laddr, user: "default", type: "normal", skipme: true }),
          1
        )
        assert.strictEqual(yield* Redis.clientKill({ id: me.id }), 0)
        assert.strictEqual(yield* Redis.clientKill({ id: me.id, skipme: true }), 0)
        assert.strictEqual((yield* Effect.flip(Redis.clientKill({ user: "no-such-user" })))._tag, "ReplyError")
        const third = yield* Effect.flatMap(connect(server), (c) => on(c, Redis.clientInfo()))
        assert.isUndefined(yield* Redis.clientKillAddr(third.addr))
        assert.strictEqual((yield* Effect.flip(Redis.clientKillAddr(third.addr)))._tag, "ReplyError")
        assert.deepStrictEqual((yield* Redis.clientList({ ids: [victim.id, second.id, third.id] })), [])
        assert.strictEqual(yield* invalid(Redis.clientKill({})), "InvalidArgumentError")
        assert.strictEqual(yield* invalid(Redis.clientKill({ id: 0 })), "InvalidArgumentError")
        assert.strictEqual(yield* invalid(Redis.clientKill({ type: "bogus" as "normal" })), "InvalidArgumentError")
        assert.strictEqual(Redis.clientKill({ type: "replica", skipme: false }).args.join(" "), "CLIENT KILL TYPE replica SKIPME no")
      })))

  it.live("REPLICAOF / ROLE of both sides / WAIT counts acknowledgements of this client's writes / FAILOVER", () =>
    withServer({}, (primaryServer) =>
      Effect.gen(function*() {
        const replicaServer = yield* LocalServer.make()
        const replica = yield* connect(replicaServer)
        assert.isUndefined(yield* on(replica, Redis.replicaof(primaryServer.host, primaryServer.port)))
        const replicaRole = yield* until(on(replica, Redis.role()), (role) => role.role === "replica" && role.state === "connected")
        assert.deepStrictEqual({ ...replicaRole, replicationOffset: 0 }, {
          role: "replica",
          masterHost: primaryServer.host,
          masterPort: primaryServer.port,
          state: "connected",
          replicationOffset: 0
        })

        yield* Redis.set("k", "v1")
        assert.strictEqual(yield* Redis.wait(1, 5_000), 1)
        const primaryRole = yield* Redis.role()
        assert.isTrue(primaryRole.role === "master" && primaryRole.replicationOffset > 0)
        assert.deepStrictEqual(
          primaryRole.role === "master" ? primaryRole.replicas.map(({ host, port }) => ({ host, port })) : [],
          [{ host: "127.0.0.1", port: replicaServer.port }]
        )
        // A stopped replica cannot acknowledge the new write: WAIT (on this client's connection) times out with 0.
        // (On a fresh connection it would count the replica at once: that connection wrote nothing.)
        yield* replicaServer.process.pause()
        yield* Redis.set("k", "v2")
        assert.strictEqual(yield* Redis.wait(1, 300), 0)
        yield* replicaServer.process.resume()
        assert.strictEqual(yield* Redis.wait(1, 5_000), 1)
        assert.deepStrictEqual(yield* on(replica, Redis.get("k")), Option.some("v2"))

        assert.strictEqual((yield* Effect.flip(Redis.failover({ abort: true })))._tag, "ReplyError")
        assert.strictEqual(
          yield* invalid(Redis.failover({ to: { host: replicaServer.host, port: replicaServer.port, force: true } })),
          "InvalidArgumentError"
        )
        assert.strictEqual(yield* invalid(Redis.failover({ abort: true, timeout: 100 })), "InvalidArgumentError")
        assert.strictEqual(yield* invalid(Redis.failover({ timeout: 0 })), "InvalidArgumentError")
        assert.strictEqual(
          Redis.failover({ to: { host: "h", port: 1, force: true }, timeout: 5 }).args.join(" "),
          "FAILOVER TO h 1 FORCE TIMEOUT 5"
        )
        assert.isUndefined(yield* Redis.failover({ to: { host: replicaServer.host, port: replicaServer.port }, timeout: 5_000 }))
        yield* until(on(replica, Redis.role()), (role) => role.role === "master")
        const demoted = yield* until(Redis.role(), (role) => role.role === "replica")
        assert.isTrue(demoted.role === "replica" && demoted.masterPort === replicaServer.port)

        assert.isUndefined(yield* Redis.replicaofNoOne())
        assert.strictEqual((yield* Redis.role()).role, "master")
        assert.strictEqual(yield* invalid(Redis.replicaof("127.0.0.1", -1)), "InvalidArgumentError")
      })))

  it.live("MODULE LIST / LOAD / LOADEX / UNLOAD (no module files here: the server's refusals)", () =>
    withServer({ extraConfig: ["enable-module-command yes"] }, () =>
      Effect.gen(function*() {
        // Redis 8 ships modules built in (at least the vector sets module, `vectorset`, with no file path); Redis 7.0
        // and Valkey 8.1 load none unless configured.
        const modules = yield* Redis.moduleList()
        if (server.atLeast("redis", "8.0")) {
          const vectorset = modules.find((module) => module.name === "vectorset")
          assert.isDefined(vectorset)
          assert.isTrue(Number.isSafeInteger(vectorset!.version) && vectorset!.version > 0)
          assert.deepStrictEqual(vectorset!.args, [])
        } else {
          assert.deepStrictEqual(modules, [])
        }
        const load = yield* Effect.flip(Redis.moduleLoad("/no/such/module.so", ["a", 1]))
        assert.strictEqual(load._tag, "ReplyError")
        const loadex = yield* Effect.flip(Redis.moduleLoadex("/no/such/module.so", { configs: { "m.x": 1 }, args: ["a"] }))
        assert.strictEqual(loadex._tag, "ReplyError")
        assert.include(String((loadex as { readonly message?: string }).message), "Error loading the extension")
        assert.strictEqual(
          Redis.moduleLoadex("/m.so", { configs: [["a", 1], ["b", "2"]], args: ["x", "y"] }).args.join(" "),
          "MODULE LOADEX /m.so CONFIG a 1 CONFIG b 2 ARGS x y"
        )
        assert.strictEqual(Redis.moduleLoadex("/m.so").args.join(" "), "MODULE LOADEX /m.so")
        const unload = yield* Effect.flip(Redis.moduleUnload("nosuchmodule"))
        assert.include(String((unload as { readonly message?: string }).message), "no such module")
      })))

  it.live("CONFIG SET several / CONFIG REWRITE / CONFIG RESETSTAT", () =>
    withServer({}, (server) =>
      Effect.gen(function*() {
        assert.isUndefined(yield* Redis.configSet({ "slowlog-max-len": 77, hz: 20 }))
        assert.deepStrictEqual({ ...(yield* Redis.configGet(["slowlog-max-len", "hz"])) }, { "slowlog-max-len": "77", hz: "20" })
        assert.isUndefined(yield* Redis.configRewrite())
        const file = readFileSync(join(server.dir, "redis.conf"), "utf8")
        assert.match(file, new RegExp(`^${slowlogMaxLenInFile} 77$`, "m"))
        assert.match(file, /^hz 20$/m)

        for (let i = 0; i < 10; i++) yield* Redis.set("k", i)
        const processed = Effect.map(Redis.info("stats"), (info) => Number(info["stats"]!["total_commands_processed"]))
        assert.isAbove(yield* processed, 10)
        assert.isUndefined(yield* Redis.configResetstat())
        assert.isAtMost(yield* processed, 2)
      })))

  it.live("ACL SAVE / LOAD with an ACL file; ACL LOG of denied commands and keys; ACL LOG RESET", () => {
    const aclFile = join(tmpdir(), `server-admin-${process.pid}-${protocol}.acl`)
    writeFileSync(aclFile, "user default on nopass ~* &* +@all\n")
    return withServer({ extraConfig: [`aclfile ${aclFile}`] }, (server) =>
      Effect.gen(function*() {
        yield* Redis.aclSetuser("alice", ["on", ">pw", "~k*", "+get", "+set"])
        assert.isUndefined(yield* Redis.aclSave())
        const sanitize = explicitSanitizePayload ? " sanitize-payload" : ""
        assert.match(
          readFileSync(aclFile, "utf8"),
          new RegExp(`^user alice on${sanitize} #[0-9a-f]{64} ~k\\* resetchannels -@all (\\+get \\+set|\\+set \\+get)$`, "m")
        )
        yield* Redis.aclSetuser("bob")
        assert.deepStrictEqual(
          yield* Redis.aclGetuser("bob"),
          Option.some({
            flags: explicitSanitizePayload ? ["off", "sanitize-payload"] : ["off"],
            passwords: [],
            commands: "-@all",
            keys: "",
            channels: "",
            selectors: []
          })
        )
        assert.isUndefined(yield* Redis.aclLoad())
        assert.deepStrictEqual(yield* Redis.aclGetuser("bob"), Option.none())
        assert.sameMembers([...(yield* Redis.aclUsers())], ["alice", "default"])

        assert.isUndefined(yield* Redis.aclLogReset())
        const alice = yield* connect(server, { username: "alice", password: Redacted.make("pw") })
        assert.strictEqual(yield* on(alice, Redis.aclWhoami()).pipe(Effect.flip, Effect.map((e) => e._tag)), "ReplyError")
        assert.strictEqual((yield* Effect.flip(on(alice, Redis.get("x1"))))._tag, "ReplyError")
        assert.strictEqual((yield* Effect.flip(on(alice, Redis.get("x1"))))._tag, "ReplyError")
        const aliceInfo = yield* Redis.clientList({ type: "normal" }).pipe(Effect.map((list) => list.find((c) => c.user === "alice")!))
        const log = yield* Redis.aclLog()
        assert.deepStrictEqual(
          log.map((entry) => [entry.reason, entry.context, entry.object, entry.username, entry.count]),
          [["key", "toplevel", "x1", "alice", 2], ["command", "toplevel", "acl|whoami", "alice", 1]]
        )
        for (const entry of log) {
          assert.isTrue(entry.ageSeconds >= 0 && entry.ageSeconds < 60)
          assert.strictEqual(entry.clientInfo.id, aliceInfo.id)
          assert.strictEqual(entry.clientInfo.user, "alice")
          assert.isTrue(Option.isOption(entry.entryId) && Option.isOption(entry.timestampCreated))
        }
        assert.deepStrictEqual((yield* Redis.aclLog({ count: 1 })).map((entry) => entry.object), ["x1"])
        assert.isUndefined(yield* Redis.aclLogReset())
        assert.deepStrictEqual(yield* Redis.aclLog(), [])
      })).pipe(Effect.ensuring(Effect.sync(() => rmSync(aclFile, { force: true }))))
  })

  it.live("ACL LOAD / SAVE without an ACL file fail", () =>
    withServer({}, () =>
      Effect.gen(function*() {
        assert.strictEqual((yield* Effect.flip(Redis.aclLoad()))._tag, "ReplyError")
        assert.strictEqual((yield* Effect.flip(Redis.aclSave()))._tag, "ReplyError")
      })))

  it.live("SLOWLOG GET / LEN / RESET, LATENCY LATEST / HISTORY / GRAPH / DOCTOR / HISTOGRAM / RESET, MEMORY STATS per db", () =>
    withServer({}, (server) =>
      Effect.gen(function*() {
        const client = yield* connect(server, { clientName: "slow" })
        yield* on(client, Effect.gen(function*() {
          const me = yield* Redis.clientInfo()
          yield* Redis.configSet({ "slowlog-log-slower-than": 0, "latency-monitor-threshold": 20 })
          assert.isUndefined(yield* Redis.slowlogReset())
          assert.strictEqual(yield* Redis.echo("hi"), "hi")
          const [echo] = yield* Redis.slowlogGet({ count: 1 })
          const { seconds } = yield* Redis.time()
          assert.isTrue(echo!.timestamp >= seconds - 5 && echo!.timestamp <= seconds && echo!.durationMicros >= 0)
          assert.deepStrictEqual({ ...echo!, timestamp: 0, durationMicros: 0 }, {
            id: echo!.id,
            timestamp: 0,
            durationMicros: 0,
            args: ["ECHO", "hi"],
            clientAddr: me.addr,
            clientName: "slow"
          })
          // Every command since the reset is logged once it ran: RESET, ECHO, GET, TIME.
          assert.strictEqual(yield* Redis.slowlogLen(), 4)
          const all = yield* Redis.slowlogGet({ count: -1 })
          assert.deepStrictEqual(all.map((entry) => entry.args.join(" ")), [
            "SLOWLOG LEN",
            "TIME",
            "SLOWLOG GET 1",
            "ECHO hi",
            "SLOWLOG RESET"
          ])
          assert.deepStrictEqual(all.map((entry) => entry.id), [4, 3, 2, 1, 0].map((i) => echo!.id - 1 + i))
          assert.strictEqual((yield* Redis.slowlogGet()).length, 6)

          yield* Redis.call(["DEBUG", "SLEEP", "0.05"])
          const [latest, ...more] = yield* Redis.latencyLatest()
          assert.strictEqual(more.length, 0)
          assert.strictEqual(latest!.event, "command")
          assert.isTrue(latest!.latestMs >= 45 && latest!.maxMs === latest!.latestMs && latest!.timestamp >= seconds - 5)
          const history = yield* Redis.latencyHistory("command")
          assert.deepStrictEqual(history, [{ timestamp: latest!.timestamp, latencyMs: latest!.latestMs }])
          assert.include(yield* Redis.latencyGraph("command"), "command - high")
          assert.include(yield* Redis.latencyDoctor(), "command")
          const histogram = yield* Redis.latencyHistogram(["debug", "echo"])
          assert.deepStrictEqual(Object.keys(histogram).sort(), ["debug", "echo"])
          assert.strictEqual(histogram["debug"]!.calls, 1)
          const buckets = Object.entries(histogram["debug"]!.histogramUsec).map(([bound, count]) => [Number(bound), count] as const)
          assert.isTrue(buckets.length > 0 && buckets.every(([bound, count]) => Number.isSafeInteger(bound) && count === 1))
          assert.isTrue(buckets[0]![0] >= 45_000)
          assert.isTrue(Object.keys(yield* Redis.latencyHistogram()).includes("slowlog|get"))
          assert.strictEqual(yield* Redis.latencyReset(["command", "no-such-event"]), 1)
          assert.strictEqual(yield* Redis.latencyReset(), 0)
          assert.deepStrictEqual(yield* Redis.latencyLatest(), [])
          assert.strictEqual((yield* Effect.flip(Redis.latencyGraph("command")))._tag, "ReplyError")

          yield* Redis.set("k", "v")
          const stats = yield* Redis.memoryStats()
          const db0 = stats["db.0"]
          assert.isTrue(typeof db0 === "object" && typeof db0["overhead.hashtable.main"] === "number")
          assert.strictEqual(stats["keys.count"], 1)
        }))
      })))
})
