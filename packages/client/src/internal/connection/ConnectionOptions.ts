import type { RespValue } from "@effect-redis/resp"
import type { Duration, Redacted } from "effect"
import type * as tls from "node:tls"

/** Where a node listens. */
export interface NodeAddress {
  readonly host: string
  readonly port: number
}

/**
 * How to connect to one Redis node. Every option has a default; a cluster client applies the same options to
 * every node it discovers.
 */
export interface ConnectionOptions {
  /** Use TLS: `true` for the system trust store, or Node's TLS options (ca, cert, key, servername...). Default off. */
  readonly tls?: boolean | tls.ConnectionOptions | undefined
  /** ACL user name for AUTH / HELLO AUTH; default `default` when only a password is given. */
  readonly username?: string | undefined
  /** Password for AUTH; a `Redacted` so it never shows in logs. */
  readonly password?: Redacted.Redacted<string> | undefined
  /** Connection name set with HELLO SETNAME / CLIENT SETNAME, shown by CLIENT LIST. */
  readonly clientName?: string | undefined
  /** Logical database selected after connecting (standalone servers only). Default 0. */
  readonly database?: number | undefined
  /**
   * RESP protocol version. Default 3 (HELLO 3), falling back to 2 when the server does not know HELLO.
   * Replies decode to the same TypeScript types under both.
   */
  readonly protocol?: 2 | 3 | undefined
  /** Time allowed for TCP/TLS connect plus the handshake. Default 10 seconds. */
  readonly connectTimeout?: Duration.Input | undefined
  /**
   * Time allowed for a command's reply, from when it is queued. Default 10 seconds; `Infinity` disables it.
   * A late reply is read and dropped, and the connection stays usable.
   */
  readonly commandTimeout?: Duration.Input | undefined
  /**
   * Connections open at once per server for blocking commands (BLPOP, XREAD BLOCK...: each waits on a connection
   * of its own) and WATCH bodies (`RedisClient.watch`: each holds one for its WATCH). When reached, the next one
   * waits for a connection to be free, within its deadline. Default unlimited.
   */
  readonly maxBlockingConnections?: number | undefined
  /** Send READONLY after connecting (replica connections in a cluster). Default false. */
  readonly readOnly?: boolean | undefined
  /** Receives RESP3 push messages that are not replies (pub/sub messages, client-side caching invalidations). */
  readonly onPush?: ((push: ReadonlyArray<RespValue>) => void) | undefined
  /** TCP keep-alive initial delay; `false` disables keep-alive. Default 30 seconds. */
  readonly keepAlive?: Duration.Input | false | undefined
  /** Largest bulk string accepted in either direction, in bytes. Default 512 MiB (the server's proto-max-bulk-len). */
  readonly maxBulkLength?: number | undefined
}
