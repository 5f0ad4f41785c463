import { Schema } from "effect"

/**
 * A node refused the connection's credentials or permissions while it was being opened: a wrong password or
 * unknown user (`WRONGPASS`), no credentials where the server requires them (`NOAUTH`), or a user not allowed to
 * run a handshake step such as `HELLO`, `CLIENT SETNAME`, `SELECT` or `READONLY` (`NOPERM`).
 *
 * No command was sent. Retrying cannot help until the configuration or the server's ACL changes, so neither
 * client retries it, and a cluster whose startup nodes all refuse the credentials fails with this error rather
 * than a `TopologyError`. The message names the user, never the password.
 */
export class AuthenticationError extends Schema.TaggedError<AuthenticationError>()("AuthenticationError", {
  /** `host:port` of the node that refused. */
  address: Schema.String,
  /** The ACL user the connection authenticated as (`default` when only a password, or nothing, was given). */
  username: Schema.String,
  /** The handshake step the server refused: `HELLO`, `AUTH`, `CLIENT SETNAME`, `SELECT`, `READONLY`. */
  step: Schema.String,
  /** The error class the server answered with: `WRONGPASS`, `NOAUTH`, `NOPERM`, or `ERR`. */
  code: Schema.String,
  /** The server's reply, as it sent it. */
  reason: Schema.String
}) {
  override get message(): string {
    return `authentication to ${this.address} as user "${this.username}" failed at ${this.step}: ${this.reason}`
  }
}
