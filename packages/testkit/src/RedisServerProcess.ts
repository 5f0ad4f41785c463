/**
 * One redis-server child process with a generated config in its own folder, and the ways tests break it:
 * kill, graceful stop, pause, resume, restart.
 *
 * @since 0.1.0
 */
import { Effect, Schema, type Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { closeSync, existsSync, openSync, readSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import {
  AdminConnection,
  type AdminEndpoint,
  type AdminError,
  type AdminCommandOptions,
  type CommandArgument,
  type RespReply
} from "./AdminConnection.ts"
import { registerChild, unregisterChild } from "./internal/ChildProcessRegistry.ts"
import { pickFreePort, releasePort } from "./internal/FreePort.ts"
import { notYet, type Observation, reached, sleepRealTime, waitUntil } from "./internal/RealTime.ts"
import { makeTempDirectory } from "./internal/TempDirectory.ts"
import { type RedisServerConfig, renderRedisConfig, revealSecret } from "./RedisServerConfig.ts"

/**
 * How to start a server. Everything of {@link RedisServerConfig} except the port, which is picked free
 * unless given, and the folder, which is a fresh temp folder unless given.
 *
 * @since 0.1.0
 */
export interface RedisServerProcessOptions extends Omit<RedisServerConfig, "host" | "port" | "dir"> {
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
  /** A fixed port. Default: a random free one (with a free cluster-bus port in cluster mode). */
  readonly port?: number | undefined
  /** An existing folder to run in. Default: a temp folder removed when the scope closes. */
  readonly dir?: string | undefined
  /** The redis-server binary. Default: `$REDIS_SERVER`, else `redis-server` on PATH. */
  readonly executable?: string | undefined
  /** How long to wait for the first PONG. Default 10000 ms. */
  readonly startTimeoutMs?: number | undefined
}

/**
 * `running` (answers, or is starting), `paused` (SIGSTOP'd: alive but silent), `exited`.
 *
 * @since 0.1.0
 */
export type RedisServerState = "running" | "paused" | "exited"

/**
 * redis-server could not be started: the binary is missing, it exited (bad config, port taken on every
 * attempt), or it did not answer PING in time. `logTail` is the end of its log, which normally says why.
 *
 * @since 0.1.0
 */
export class ServerStartError extends Schema.TaggedError<ServerStartError>()("ServerStartError", {
  executable: Schema.String,
  host: Schema.String,
  port: Schema.Number,
  dir: Schema.String,
  reason: Schema.String,
  logTail: Schema.String
}) {
  override get message(): string {
    return `redis-server (${this.executable}) on ${this.host}:${this.port} in ${this.dir}: ${this.reason}` +
      (this.logTail.length > 0 ? `\n--- log tail ---\n${this.logTail}` : "")
  }
}

/**
 * The binary the test kit runs: `$REDIS_SERVER` if set, else `redis-server` from PATH.
 *
 * @since 0.1.0
 */
export const defaultRedisServerExecutable = (): string => {
  const fromEnv = process.env["REDIS_SERVER"]
  return fromEnv !== undefined && fromEnv.length > 0 ? fromEnv : "redis-server"
}

const portAttempts = 6
const addressInUse = "Address already in use"

/** What a readiness probe found out. */
type Readiness =
  | { readonly _tag: "Ready" }
  | { readonly _tag: "Exited" }
  | { readonly _tag: "PortTaken"; readonly detail: string }

/** The outcome of one launch attempt, before it is turned into an error or a retry. */
type LaunchResult =
  | { readonly _tag: "Ready" }
  | { readonly _tag: "PortTaken"; readonly detail: string }
  | { readonly _tag: "Failed"; readonly reason: string }

/**
 * A redis-server child process. Created by {@link RedisServerProcess.start}, which ties its life to a scope:
 * closing the scope SIGKILLs it (exactly this pid) and waits for it to be gone.
 *
 * The port, folder and config file never change, so {@link restart} brings back the same node: in a cluster
 * it rejoins with its `nodes.conf` (same node id), though with an empty dataset (persistence is off).
 *
 * @since 0.1.0
 */
export class RedisServerProcess {
  readonly host: string
  readonly port: number
  /** The working folder: `redis.conf`, `redis.log`, `nodes.conf`. */
  readonly dir: string
  readonly configFile: string
  readonly logFile: string
  readonly executable: string
  readonly config: RedisServerConfig
  /** The test kit's own connection to this server (reconnects by itself after restarts). */
  readonly admin: AdminConnection
  readonly #startTimeoutMs: number
  #child: ChildProcess | undefined
  #exited = true
  #paused = false
  #exitDescription = "not started"
  #logOffset = 0

  private constructor(config: RedisServerConfig, executable: string, startTimeoutMs: number) {
    this.config = config
    this.host = config.host
    this.port = config.port
    this.dir = config.dir
    this.configFile = join(config.dir, "redis.conf")
    this.logFile = join(config.dir, "redis.log")
    this.executable = executable
    this.#startTimeoutMs = startTimeoutMs
    this.admin = new AdminConnection(adminEndpointOf(config))
  }

  /**
   * Starts a server and waits until it answers PING (and is not LOADING). Without a fixed port it picks a
   * free one, retrying with another port when redis-server reports "Address already in use" (another
   * process took it between the check and the bind).
   *
   * @since 0.1.0
   */
  static start(options: RedisServerProcessOptions = {}): Effect.Effect<RedisServerProcess, ServerStartError, Scope.Scope> {
    return Effect.gen(function*() {
      const host = options.host ?? "127.0.0.1"
      const dir = options.dir ?? (yield* makeTempDirectory("server"))
      const executable = options.executable ?? defaultRedisServerExecutable()
      const startTimeoutMs = options.startTimeoutMs ?? 10_000
      const withClusterBus = options.cluster !== undefined
      let lastFailure = ""
      for (let attempt = 0; attempt < portAttempts; attempt++) {
        const port = options.port ?? (yield* pickFreePort(host, withClusterBus))
        const server = new RedisServerProcess(
          { ...withoutLaunchOptions(options), host, port, dir },
          executable,
          startTimeoutMs
        )
        // Registered before the spawn, so an interrupted or failed start never leaks a process.
        yield* Effect.addFinalizer(() => server.kill().pipe(Effect.ensuring(Effect.sync(() => releasePort(port)))))
        const result = yield* server.#launch()
        if (result._tag === "Ready") return server
        yield* server.kill()
        if (result._tag === "Failed") return yield* server.#startError(result.reason)
        lastFailure = result.detail
        if (options.port !== undefined) yield* sleepRealTime(100) // a fixed port: wait for it to be freed
      }
      return yield* new ServerStartError({
        executable,
        host,
        port: options.port ?? 0,
        dir,
        reason: `no usable port after ${portAttempts} attempts: ${lastFailure}`,
        logTail: ""
      })
    })
  }

  /** The pid of the running (or paused) process; `undefined` once it has exited. */
  get pid(): number | undefined {
    return this.#exited ? undefined : this.#child?.pid
  }

  /** See {@link RedisServerState}. */
  get state(): RedisServerState {
    return this.#exited ? "exited" : this.#paused ? "paused" : "running"
  }

  /** The process exists (it may be paused). */
  get isRunning(): boolean {
    return !this.#exited
  }

  /** Where clients connect, with the credentials and TLS files the server expects. */
  get endpoint(): AdminEndpoint {
    return this.admin.endpoint
  }

  /** `redis://host:port` (`rediss://` with TLS). Credentials are not included. */
  get url(): string {
    return `${this.config.tls === undefined ? "redis" : "rediss"}://${this.host}:${this.port}`
  }

  /** Runs a command on the admin connection. */
  command(args: ReadonlyArray<CommandArgument>, options?: AdminCommandOptions): Effect.Effect<RespReply, AdminError> {
    return this.admin.command(args, options)
  }

  /** SIGKILL, then wait until the process is gone. Does nothing if it already exited. */
  kill(): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.#exited) return Effect.void
      this.#signal("SIGKILL")
      return this.#awaitExit(10_000).pipe(Effect.asVoid, Effect.ensuring(Effect.sync(() => this.admin.close())))
    })
  }

  /**
   * A graceful stop: SIGTERM (redis-server shuts down as for SHUTDOWN, without saving since persistence is
   * off), then wait; SIGKILL if it is still there after 10 s. A paused server is resumed so it can act on it.
   */
  stop(): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.#exited) return Effect.void
      this.#signal("SIGTERM")
      if (this.#paused) this.#signal("SIGCONT")
      return this.#awaitExit(10_000).pipe(
        Effect.flatMap((exited) => (exited ? Effect.void : this.kill())),
        Effect.ensuring(Effect.sync(() => this.admin.close()))
      )
    })
  }

  /** SIGSTOP: the process stays alive, keeps its sockets, and answers nothing until resumed. */
  pause(): Effect.Effect<void> {
    return Effect.sync(() => {
      if (this.#exited || this.#paused) return
      this.#signal("SIGSTOP")
      this.#paused = true
    })
  }

  /** SIGCONT after {@link pause}. */
  resume(): Effect.Effect<void> {
    return Effect.sync(() => {
      if (this.#exited || !this.#paused) return
      this.#signal("SIGCONT")
      this.#paused = false
    })
  }

  /**
   * Stops the server gracefully if it is still running, then starts it again on the same port, folder and
   * config, and waits for PING.
   */
  restart(): Effect.Effect<void, ServerStartError> {
    const self = this
    return Effect.gen(function*() {
      yield* self.stop()
      let lastFailure = ""
      for (let attempt = 0; attempt < portAttempts; attempt++) {
        const result = yield* self.#launch()
        if (result._tag === "Ready") return
        yield* self.kill()
        if (result._tag === "Failed") return yield* self.#startError(result.reason)
        lastFailure = result.detail
        yield* sleepRealTime(100)
      }
      return yield* self.#startError(`port still taken after ${portAttempts} attempts: ${lastFailure}`)
    })
  }

  /** The last `maxChars` characters the server logged since it was last started. */
  logTail(maxChars = 3000): string {
    if (!existsSync(this.logFile)) return ""
    const size = statSync(this.logFile).size
    const from = Math.max(this.#logOffset, size - maxChars)
    const buffer = Buffer.alloc(size - from)
    const fd = openSync(this.logFile, "r")
    try {
      readSync(fd, buffer, 0, buffer.length, from)
    } finally {
      closeSync(fd)
    }
    return buffer.toString("utf8").trimEnd()
  }

  #startError(reason: string): ServerStartError {
    return new ServerStartError({
      executable: this.executable,
      host: this.host,
      port: this.port,
      dir: this.dir,
      reason,
      logTail: this.logTail()
    })
  }

  #signal(signal: NodeJS.Signals): void {
    try {
      this.#child?.kill(signal)
    } catch {
      // the process is already gone; the exit event will tell
    }
  }

  /** Writes the config, spawns the process, and waits for it to be ready, to exit, or for the deadline. */
  #launch(): Effect.Effect<LaunchResult> {
    const self = this
    return Effect.gen(function*() {
      writeFileSync(self.configFile, renderRedisConfig(self.config))
      self.#logOffset = existsSync(self.logFile) ? statSync(self.logFile).size : 0
      const log = openSync(self.logFile, "a")
      let child: ChildProcess
      try {
        child = spawn(self.executable, [self.configFile], { cwd: self.dir, stdio: ["ignore", log, log] })
      } catch (cause) {
        return { _tag: "Failed", reason: `cannot spawn: ${String(cause)}` } as const
      } finally {
        closeSync(log) // the child has its own copy of the descriptor
      }
      self.#child = child
      self.#exited = false
      self.#paused = false
      self.#exitDescription = "running"
      let spawnError: string | undefined
      child.once("error", (error) => {
        spawnError = error.message
        self.#markExited(child, `could not be started: ${error.message}`)
      })
      child.once("exit", (code, signal) => {
        self.#markExited(child, signal !== null ? `killed by ${signal}` : `exited with code ${code}`)
      })
      // Not a reference on Node's event loop: a forgotten server must not keep the test process alive (the
      // exit hooks kill it when Node ends).
      child.unref()
      registerChild(child)
      self.admin.close()

      const outcome = yield* waitUntil(self.#readiness(child), {
        waitingFor: "the first PONG",
        timeoutMs: self.#startTimeoutMs,
        intervalMs: 10
      }).pipe(
        Effect.catchTag("WaitTimeoutError", (error) => Effect.succeed({ _tag: "Timeout", error } as const)),
        // An exit ends the wait at once, even while a probe hangs on whatever else answers on the port.
        Effect.raceFirst(self.#awaitExit(self.#startTimeoutMs + 1000).pipe(Effect.as({ _tag: "Exited" } as const)))
      )

      if (outcome._tag === "Timeout") {
        return { _tag: "Failed", reason: `${outcome.error.message}` } as const
      }
      if (outcome._tag === "Ready") return outcome
      // It exited (or another process answers on the port): was the port the problem?
      yield* self.#awaitExit(2000)
      const tail = self.logTail()
      if (outcome._tag === "PortTaken" || tail.includes(addressInUse)) {
        return { _tag: "PortTaken", detail: outcome._tag === "PortTaken" ? outcome.detail : lastLineWith(tail, addressInUse) } as const
      }
      return { _tag: "Failed", reason: spawnError ?? self.#exitDescription } as const
    })
  }

  /** One readiness probe: PONG from *our* process, or the process has exited. */
  #readiness(child: ChildProcess): Effect.Effect<Observation<Readiness>, AdminError> {
    const self = this
    return Effect.gen(function*() {
      if (self.#child !== child || self.#exited) return reached<Readiness>({ _tag: "Exited" })
      const pong = yield* self.admin.command(["PING"], { timeoutMs: 1000 })
      if (pong !== "PONG") return notYet(`PING answered ${JSON.stringify(pong)}`)
      // Someone else's server may answer on the port while ours is failing to bind it.
      const info = String(yield* self.admin.command(["INFO", "server"], { timeoutMs: 1000 }))
      const pid = /process_id:(\d+)/.exec(info)?.[1]
      if (pid !== undefined && Number(pid) !== child.pid) {
        return reached<Readiness>({ _tag: "PortTaken", detail: `another process (pid ${pid}) answers on port ${self.port}` })
      }
      return reached<Readiness>({ _tag: "Ready" })
    })
  }

  #markExited(child: ChildProcess, description: string): void {
    if (child !== this.#child || this.#exited) return
    this.#exited = true
    this.#paused = false
    this.#exitDescription = description
    if (child.pid !== undefined) unregisterChild(child.pid)
  }

  /** Waits (wall-clock) until the current child has exited; `false` if it is still there after `timeoutMs`. */
  #awaitExit(timeoutMs: number): Effect.Effect<boolean> {
    return Effect.callback<boolean>((resume) => {
      const child = this.#child
      if (child === undefined || this.#exited) {
        resume(Effect.succeed(true))
        return
      }
      const onExit = (): void => {
        clearTimeout(timer)
        resume(Effect.succeed(true))
      }
      const timer = setTimeout(() => {
        child.off("exit", onExit)
        resume(Effect.succeed(this.#exited))
      }, timeoutMs)
      child.once("exit", onExit)
      return Effect.sync(() => {
        clearTimeout(timer)
        child.off("exit", onExit)
      })
    })
  }
}

const withoutLaunchOptions = (options: RedisServerProcessOptions): Omit<RedisServerConfig, "host" | "port" | "dir"> => {
  const { dir: _dir, executable: _executable, host: _host, port: _port, startTimeoutMs: _timeout, ...config } = options
  return config
}

/** How the test kit itself connects: the server's TLS files (its cert doubles as a client cert) and password. */
const adminEndpointOf = (config: RedisServerConfig): AdminEndpoint => ({
  host: config.host,
  port: config.port,
  ...(config.tls !== undefined
    ? {
      tls: {
        caFile: config.tls.caFile,
        certFile: config.tls.clientCertFile ?? config.tls.certFile,
        keyFile: config.tls.clientKeyFile ?? config.tls.keyFile
      }
    }
    : {}),
  ...(config.password !== undefined ? { password: revealSecret(config.password) } : {})
})

const lastLineWith = (text: string, needle: string): string =>
  text.split("\n").reverse().find((line) => line.includes(needle))?.trim() ?? needle
