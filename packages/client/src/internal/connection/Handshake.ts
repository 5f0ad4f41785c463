import { isRespErrorReply, type ProtocolError, type RespArg, type RespErrorReply } from "@effect-redis/resp"
import { Effect, Redacted } from "effect"
import { AuthenticationError } from "../errors/AuthenticationError.ts"
import { ConnectionError } from "../errors/ConnectionError.ts"
import type { TimeoutError } from "../errors/TimeoutError.ts"
import type { ConnectionOptions } from "./ConnectionOptions.ts"
import type { NodeConnection } from "./NodeConnection.ts"

/** Error classes that mean the credentials or the user's permissions were refused, whatever the step. */
const AUTH_CODES: ReadonlySet<string> = new Set(["WRONGPASS", "NOAUTH", "NOPERM"])

/**
 * Brings a freshly connected socket to a usable state:
 *
 * 1. `HELLO 3 [AUTH user pass] [SETNAME name]` when RESP3 is wanted. A server that does not know HELLO (Redis < 6)
 *    or refuses protocol 3 (`NOPROTO`) gets the RESP2 path instead.
 * 2. RESP2 path: `AUTH [user] pass` and `CLIENT SETNAME name`, pipelined.
 * 3. `SELECT db` when a database other than 0 is asked for, `READONLY` for replica connections.
 *
 * A refusal of the credentials or of the user's permissions (`AUTH` refused, or `WRONGPASS` / `NOAUTH` / `NOPERM`
 * on any step) fails with an `AuthenticationError` naming the user (never the password): retrying cannot help.
 * Any other refusal (a bad database index...) fails with a `ConnectionError` quoting the server.
 * Everything runs before `deadline` (the connect timeout), so a server that never answers cannot hang us.
 */
export const handshake = (
  conn: NodeConnection,
  options: ConnectionOptions,
  deadline: number
): Effect.Effect<NodeConnection, ConnectionError | TimeoutError | ProtocolError | AuthenticationError> =>
  Effect.gen(function*() {
    const password = options.password === undefined ? undefined : Redacted.value(options.password)
    const username = options.username ?? (password === undefined ? undefined : "default")
    const refused = (step: string, reply: RespErrorReply): ConnectionError | AuthenticationError =>
      step === "AUTH" || AUTH_CODES.has(reply.code)
        ? new AuthenticationError({
          address: conn.address,
          username: username ?? "default",
          step,
          code: reply.code,
          reason: reply.message
        })
        : new ConnectionError({
          address: conn.address,
          reason: `handshake ${step} refused: ${reply.message}`,
          written: true,
          command: step
        })

    let protocol: 2 | 3 = 2
    if ((options.protocol ?? 3) === 3) {
      const hello: Array<RespArg> = ["HELLO", "3"]
      if (password !== undefined) hello.push("AUTH", username!, password)
      if (options.clientName !== undefined) hello.push("SETNAME", options.clientName)
      const reply = yield* conn.request(hello, deadline)
      if (!isRespErrorReply(reply)) {
        protocol = 3
      } else if (!(reply.code === "NOPROTO" || /unknown command/i.test(reply.message))) {
        return yield* refused("HELLO", reply)
      }
    }

    const steps: Array<{ readonly name: string; readonly args: ReadonlyArray<RespArg> }> = []
    if (protocol === 2) {
      if (password !== undefined) {
        steps.push({ name: "AUTH", args: options.username === undefined ? ["AUTH", password] : ["AUTH", options.username, password] })
      }
      if (options.clientName !== undefined) steps.push({ name: "CLIENT SETNAME", args: ["CLIENT", "SETNAME", options.clientName] })
    }
    if (options.database !== undefined && options.database !== 0) {
      steps.push({ name: "SELECT", args: ["SELECT", options.database] })
    }
    if (options.readOnly === true) steps.push({ name: "READONLY", args: ["READONLY"] })

    // Pipelined: all requests are queued in this tick and go out in one write.
    const replies = yield* Effect.all(steps.map((step) => conn.request(step.args, deadline)), { concurrency: "unbounded" })
    for (let i = 0; i < replies.length; i++) {
      const reply = replies[i]!
      if (isRespErrorReply(reply)) return yield* refused(steps[i]!.name, reply)
    }
    conn.markReady(protocol)
    return conn
  })
