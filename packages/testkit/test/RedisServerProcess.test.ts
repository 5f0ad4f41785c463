import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Result } from "effect"
import { spawn } from "node:child_process"
import * as net from "node:net"
import { fileURLToPath } from "node:url"
import {
  LocalServer,
  RedisServerProcess,
  renderRedisConfig,
  ServerStartError
} from "../src/index.ts"
import { connectTo, eventually, folderExists, infoField, isProcessAlive } from "./helpers.ts"

describe("RedisServerProcess", () => {
  it.live("starts on a free port in its own folder and answers", () =>
    Effect.gen(function*() {
      const server = yield* RedisServerProcess.start()
      assert.strictEqual(server.state, "running")
      assert.isTrue(server.port >= 10000 && server.port < 32768)
      assert.isTrue(isProcessAlive(server.pid!))
      const info = yield* server.command(["INFO", "server"])
      assert.strictEqual(Number(infoField(info, "process_id")), server.pid)
      assert.strictEqual(yield* server.command(["CONFIG", "GET", "save"]).pipe(Effect.map((r) => (r as Array<string>)[1])), "")
      assert.isTrue(folderExists(server.dir))
    }))

  it.live("kill, restart, pause, resume and stop act on exactly this process", () =>
    Effect.gen(function*() {
      const server = yield* RedisServerProcess.start()
      const firstPid = server.pid!
      yield* server.command(["SET", "k", "v"])

      yield* server.kill()
      assert.strictEqual(server.state, "exited")
      assert.isUndefined(server.pid)
      assert.isFalse(isProcessAlive(firstPid))

      yield* server.restart()
      assert.strictEqual(server.state, "running")
      assert.notStrictEqual(server.pid, firstPid)
      // Persistence is off: a restarted server is empty.
      assert.strictEqual(yield* server.command(["GET", "k"]), null)

      yield* server.pause()
      assert.strictEqual(server.state, "paused")
      assert.isTrue(isProcessAlive(server.pid!))
      const whilePaused = yield* Effect.result(server.command(["PING"], { timeoutMs: 200 }))
      assert.isTrue(Result.isFailure(whilePaused) && whilePaused.failure._tag === "AdminConnectionError")

      yield* server.resume()
      assert.strictEqual(yield* server.command(["PING"]), "PONG")

      const pid = server.pid!
      yield* server.stop()
      assert.strictEqual(server.state, "exited")
      assert.isFalse(isProcessAlive(pid))
    }))

  it.live("a port held by someone else fails with ServerStartError after retries", () =>
    Effect.gen(function*() {
      const blocker = net.createServer()
      const port = yield* Effect.promise(() =>
        new Promise<number>((resolve) => blocker.listen({ host: "127.0.0.1", port: 0 }, () => resolve((blocker.address() as net.AddressInfo).port)))
      )
      yield* Effect.addFinalizer(() => Effect.sync(() => blocker.close()))
      const exit = yield* Effect.exit(Effect.scoped(RedisServerProcess.start({ port })))
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      assert.isTrue(error?._tag === "Fail" && error.error instanceof ServerStartError)
      if (error?._tag === "Fail") assert.include(error.error.message, "Address already in use")
    }))

  it.live("a bad config fails with ServerStartError carrying redis-server's own words", () =>
    Effect.gen(function*() {
      const result = yield* Effect.result(Effect.scoped(RedisServerProcess.start({ extraConfig: ["no-such-directive yes"] })))
      assert.isTrue(Result.isFailure(result))
      if (Result.isFailure(result)) {
        assert.strictEqual(result.failure._tag, "ServerStartError")
        assert.include(result.failure.logTail, "no-such-directive")
        assert.include(result.failure.reason, "exited with code 1")
      }
    }))

  it.live("a missing binary fails with ServerStartError", () =>
    Effect.gen(function*() {
      const result = yield* Effect.result(
        Effect.scoped(RedisServerProcess.start({ executable: "/nonexistent/redis-server" }))
      )
      assert.isTrue(Result.isFailure(result) && result.failure.reason.includes("ENOENT"))
    }))

  it("renders cluster, TLS and ACL settings into the config", () => {
    const config = renderRedisConfig({
      host: "127.0.0.1",
      port: 12000,
      dir: "/tmp/x y",
      cluster: { nodeTimeoutMs: 1500, requireFullCoverage: false, announceHostname: "node-1.test" },
      tls: { caFile: "/c/ca.crt", certFile: "/c/s.crt", keyFile: "/c/s.key" },
      password: "p\"w",
      users: [{ name: "reader", password: "r", rules: "~* +@read" }],
      extraConfig: ["maxmemory 10mb"]
    })
    assert.include(config, "port 0\ntls-port 12000")
    assert.include(config, "tls-cluster yes")
    assert.include(config, "cluster-node-timeout 1500")
    assert.include(config, "cluster-require-full-coverage no")
    assert.include(config, "cluster-announce-hostname \"node-1.test\"\ncluster-preferred-endpoint-type hostname")
    assert.include(config, "dir \"/tmp/x y\"")
    assert.include(config, "requirepass \"p\\\"w\"")
    assert.include(config, "user \"reader\" \"on\" \">r\" \"~*\" \"+@read\"")
    assert.isTrue(config.trimEnd().endsWith("maxmemory 10mb"))
  })
})

describe("LocalServer", () => {
  it.live("closing the scope kills the process and removes the folder", () =>
    Effect.gen(function*() {
      const { dir, pid } = yield* Effect.scoped(
        LocalServer.make().pipe(Effect.map((server) => ({ dir: server.dir, pid: server.process.pid! })))
      )
      assert.isFalse(isProcessAlive(pid))
      assert.isFalse(folderExists(dir))
    }))

  it.live("TLS with a password and an ACL user", () =>
    Effect.gen(function*() {
      const server = yield* LocalServer.make({
        tls: true,
        tlsAuthClients: "yes",
        password: "s3cret",
        users: [{ name: "reader", password: "r3ad", rules: "~* +@read +ping" }]
      })
      assert.isTrue(server.url.startsWith("rediss://"))
      const tls = { caFile: server.tls!.caFile, certFile: server.tls!.clientCertFile, keyFile: server.tls!.clientKeyFile }
      yield* server.command(["SET", "greeting", "hello"])

      const reader = yield* connectTo({ host: server.host, port: server.port, tls, username: "reader", password: "r3ad" })
      assert.strictEqual(yield* reader.command(["GET", "greeting"]), "hello")
      const write = yield* Effect.result(reader.command(["SET", "greeting", "bye"]))
      assert.isTrue(Result.isFailure(write) && write.failure._tag === "AdminCommandError" && write.failure.message.includes("NOPERM"))

      const anonymous = yield* connectTo({ host: server.host, port: server.port, tls })
      const noAuth = yield* Effect.result(anonymous.command(["GET", "greeting"]))
      assert.isTrue(Result.isFailure(noAuth) && noAuth.failure.message.includes("NOAUTH"))

      // Mutual TLS is required: no client certificate, no connection.
      const noCertificate = yield* connectTo({ host: server.host, port: server.port, tls: { caFile: tls.caFile }, password: "s3cret" })
      assert.isTrue(Result.isFailure(yield* Effect.result(noCertificate.command(["PING"], { timeoutMs: 2000 }))))
    }))
})

// Concurrent: each case spends most of its time starting a Node process.
describe.concurrent("servers die with the Node process that started them", () => {
  const fixture = fileURLToPath(new URL("./fixtures/hold-server.ts", import.meta.url))

  /** Starts the fixture, returns its child process and the server's pid and folder once it printed them. */
  const startHolder = (mode: "wait" | "exit" | "throw") =>
    Effect.promise(() =>
      new Promise<{ holder: ReturnType<typeof spawn>; pid: number; dir: string }>((resolve, reject) => {
        const holder = spawn(process.execPath, [fixture, mode], { stdio: ["ignore", "pipe", "pipe"] })
        let output = ""
        let errors = ""
        holder.stderr!.on("data", (chunk) => (errors += String(chunk)))
        holder.stdout!.on("data", (chunk) => {
          output += String(chunk)
          const line = output.split("\n")[0]
          if (output.includes("\n") && line !== undefined) resolve({ holder, ...JSON.parse(line) })
        })
        holder.on("exit", (code) => {
          if (!output.includes("\n")) reject(new Error(`holder exited with ${code}: ${errors}`))
        })
      })
    )

  const expectCleanedUp = (pid: number, dir: string) =>
    Effect.gen(function*() {
      assert.isTrue(yield* eventually(() => !isProcessAlive(pid)), `redis-server ${pid} outlived its Node process`)
      assert.isTrue(yield* eventually(() => !folderExists(dir)), `${dir} outlived its Node process`)
    })

  it.live("SIGKILL of Node: the watchdog kills the server and removes its folder", () =>
    Effect.gen(function*() {
      const { dir, holder, pid } = yield* startHolder("wait")
      assert.isTrue(isProcessAlive(pid))
      holder.kill("SIGKILL")
      yield* expectCleanedUp(pid, dir)
    }), 20_000)

  it.live("SIGTERM and SIGINT: the handlers kill the server and Node still terminates", () =>
    Effect.gen(function*() {
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        const { dir, holder, pid } = yield* startHolder("wait")
        const exited = new Promise<NodeJS.Signals | null>((resolve) => holder.on("exit", (_code, sig) => resolve(sig)))
        holder.kill(signal)
        assert.strictEqual(yield* Effect.promise(() => exited), signal)
        yield* expectCleanedUp(pid, dir)
      }
    }), 20_000)

  it.live("process.exit and uncaught exceptions: the exit hook kills the server", () =>
    Effect.gen(function*() {
      for (const mode of ["exit", "throw"] as const) {
        const { dir, pid } = yield* startHolder(mode)
        yield* expectCleanedUp(pid, dir)
      }
    }), 20_000)
})
