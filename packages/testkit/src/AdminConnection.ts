/**
 * The test kit's own connection to one Redis server, used to form clusters, wait for states and break
 * things. It does not use `@effect-redis/client` on purpose: the tool that checks the client must not depend
 * on the client being right.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { readFileSync } from "node:fs"
import * as net from "node:net"
import * as tls from "node:tls"
import {
  type BulkStringMode,
  type CommandArgument,
  encodeCommand,
  Incomplete,
  RespErrorReply,
  type RespReply,
  RespReplyReader
} from "./internal/AdminResp.ts"

export { type BulkStringMode, type CommandArgument, RespErrorReply, type RespReply } from "./internal/AdminResp.ts"

/**
 * PEM files for a TLS connection to a test server, read each time a connection opens (for instance the
 * files `generateTlsCertificates` made).
 *
 * @since 0.1.0
 */
export interface AdminTlsOptions {
  /** CA certificate file that signed the server certificate. */
  readonly caFile: string
  /** Client certificate file, presented when the server asks for one. */
  readonly certFile?: string | undefined
  /** Key file of `certFile`. */
  readonly keyFile?: string | undefined
  /** Name checked against the server certificate; by default the host is checked (IP SANs work). */
  readonly servername?: string | undefined
}

/**
 * Where and how to reach a server.
 *
 * @since 0.1.0
 */
export interface AdminEndpoint {
  readonly host: string
  readonly port: number
  readonly tls?: AdminTlsOptions | undefined
  /** Sent as `AUTH [username] password` right after connecting. */
  readonly password?: string | undefined
  readonly username?: string | undefined
}

/**
 * The connection could not be opened, was closed, or a reply did not arrive in time. `reason` says which
 * and carries the socket's message.
 *
 * @since 0.1.0
 */
export class AdminConnectionError extends Schema.TaggedError<AdminConnectionError>()("AdminConnectionError", {
  endpoint: Schema.String,
  command: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.endpoint}: ${this.command}: ${this.reason}`
  }
}

/**
 * The server answered a command with an error reply (`ERR ...`, `MOVED ...`, `ASK ...`, `LOADING ...`).
 * `reply` is the server's text, so tests can match on its first word.
 *
 * @since 0.1.0
 */
export class AdminCommandError extends Schema.TaggedError<AdminCommandError>()("AdminCommandError", {
  endpoint: Schema.String,
  command: Schema.String,
  reply: Schema.String
}) {
  override get message(): string {
    return `${this.endpoint}: ${this.command}: ${this.reply}`
  }
}

/**
 * Any failure of an admin command.
 *
 * @since 0.1.0
 */
export type AdminError = AdminConnectionError | AdminCommandError

/**
 * Options of one admin command.
 *
 * @since 0.1.0
 */
export interface AdminCommandOptions {
  /** Fail with `AdminConnectionError` when no reply arrived within this time. Default 3000 ms. */
  readonly timeoutMs?: number | undefined
  /** `"bytes"` returns bulk strings as `Uint8Array` (binary keys). Default `"text"`. */
  readonly bulkStrings?: BulkStringMode | undefined
}

type Outcome = { readonly ok: true; readonly reply: RespReply } | { readonly ok: false; readonly error: AdminError }

interface Waiter {
  readonly command: string
  readonly bulk: BulkStringMode
  /** Handshake replies (AUTH, CLIENT SETNAME) are checked but not handed to a caller. */
  readonly complete: (outcome: Outcome) => void
}

/** Shown in CLIENT LIST so tests of the client can tell the test kit's connections from their own. */
export const adminClientName = "effect-redis-testkit"

const defaultTimeoutMs = 3000

const describeCommand = (args: ReadonlyArray<CommandArgument>): string =>
  args.slice(0, 3).map((arg) => (typeof arg === "string" ? arg : `<${arg.length} bytes>`)).join(" ") +
  (args.length > 3 ? " ..." : "")

/**
 * One lazily opened, pipelined connection to a server. Commands are written at once and answered in order.
 * Any socket error, close or reply timeout destroys the socket and fails every pending command, and the next
 * command opens a fresh socket: a paused or restarted server therefore never leaves the connection stuck or
 * its replies out of step.
 *
 * Sockets are unref'd so a forgotten connection never keeps Node alive; a pending command keeps a timer, and
 * with it the process, alive until it is answered or times out.
 *
 * @since 0.1.0
 */
export class AdminConnection {
  readonly endpoint: AdminEndpoint
  readonly label: string
  #socket: net.Socket | undefined
  #reader = new RespReplyReader()
  #waiters: Array<Waiter> = []

  constructor(endpoint: AdminEndpoint) {
    this.endpoint = endpoint
    this.label = `${endpoint.host}:${endpoint.port}`
  }

  /**
   * Runs one command. An error reply at the top level fails with `AdminCommandError`; error replies nested
   * in an array stay values (`RespErrorReply`).
   */
  command(args: ReadonlyArray<CommandArgument>, options?: AdminCommandOptions): Effect.Effect<RespReply, AdminError> {
    return Effect.callback<RespReply, AdminError>((resume) => {
      const commandText = describeCommand(args)
      let settled = false
      const timer = setTimeout(() => {
        this.#fail(`no reply within ${options?.timeoutMs ?? defaultTimeoutMs} ms`)
      }, options?.timeoutMs ?? defaultTimeoutMs)
      const complete = (outcome: Outcome) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resume(outcome.ok ? Effect.succeed(outcome.reply) : Effect.fail(outcome.error))
      }
      try {
        const socket = this.#connected()
        this.#waiters.push({ command: commandText, bulk: options?.bulkStrings ?? "text", complete })
        socket.write(encodeCommand(args))
      } catch (cause) {
        complete({ ok: false, error: this.#connectionError(commandText, String(cause)) })
      }
      // Interrupted while waiting: the reply would arrive for nobody and shift every later reply, so the
      // socket goes and the next command starts clean.
      return Effect.sync(() => {
        if (!settled) {
          settled = true
          clearTimeout(timer)
          this.#fail("command interrupted")
        }
      })
    })
  }

  /** Closes the socket; pending commands fail. The next command reconnects. */
  close(): void {
    this.#fail("connection closed by the test kit")
  }

  #connectionError(command: string, reason: string): AdminConnectionError {
    return new AdminConnectionError({ endpoint: this.label, command, reason })
  }

  #connected(): net.Socket {
    if (this.#socket !== undefined) return this.#socket
    const { host, port, tls: tlsOptions } = this.endpoint
    const socket = tlsOptions === undefined
      ? net.connect({ host, port, noDelay: true })
      : tls.connect({
        host,
        port,
        ca: readPem(tlsOptions.caFile),
        ...(tlsOptions.certFile !== undefined ? { cert: readPem(tlsOptions.certFile) } : {}),
        ...(tlsOptions.keyFile !== undefined ? { key: readPem(tlsOptions.keyFile) } : {}),
        ...(tlsOptions.servername !== undefined ? { servername: tlsOptions.servername } : {})
      })
    socket.setNoDelay(true)
    socket.unref()
    this.#socket = socket
    this.#reader = new RespReplyReader()
    socket.on("data", (chunk: Buffer) => this.#onData(socket, chunk))
    socket.on("error", (error) => this.#fail(error.message, socket))
    socket.on("close", () => this.#fail("connection closed by the server", socket))
    // The handshake goes first on the wire; its replies are checked and dropped. A failed AUTH makes every
    // later command meaningless, so it tears the connection down; the name is only a courtesy (a user
    // restricted by ACL may not run CLIENT SETNAME), so its failure is ignored.
    if (this.endpoint.password !== undefined) {
      const auth = this.endpoint.username !== undefined
        ? ["AUTH", this.endpoint.username, this.endpoint.password]
        : ["AUTH", this.endpoint.password]
      this.#waiters.push({
        command: "AUTH",
        bulk: "text",
        complete: (outcome) => {
          if (!outcome.ok) this.#fail(`handshake failed: ${outcome.error.message}`, socket)
        }
      })
      socket.write(encodeCommand(auth))
    }
    this.#waiters.push({ command: "CLIENT SETNAME", bulk: "text", complete: () => {} })
    socket.write(encodeCommand(["CLIENT", "SETNAME", adminClientName]))
    return socket
  }

  #onData(socket: net.Socket, chunk: Buffer): void {
    if (socket !== this.#socket) return
    this.#reader.push(chunk)
    while (this.#waiters.length > 0) {
      const waiter = this.#waiters[0]!
      let reply: RespReply | typeof Incomplete
      try {
        reply = this.#reader.next(waiter.bulk)
      } catch (cause) {
        this.#fail(`unreadable reply: ${String(cause)}`, socket)
        return
      }
      if (reply === Incomplete) return
      this.#waiters.shift()
      waiter.complete(
        reply instanceof RespErrorReply
          ? {
            ok: false,
            error: new AdminCommandError({ endpoint: this.label, command: waiter.command, reply: reply.message })
          }
          : { ok: true, reply }
      )
      if (socket !== this.#socket) return // a handshake failure tore the socket down
    }
  }

  /** Tears the current socket down (only if it is still `which`) and fails everything pending on it. */
  #fail(reason: string, which?: net.Socket): void {
    const socket = this.#socket
    if (socket === undefined || (which !== undefined && which !== socket)) return
    this.#socket = undefined
    socket.destroy()
    const waiters = this.#waiters
    this.#waiters = []
    for (const waiter of waiters) {
      waiter.complete({ ok: false, error: this.#connectionError(waiter.command, reason) })
    }
  }
}

const readPem = (file: string): string => readFileSync(file, "utf8")
