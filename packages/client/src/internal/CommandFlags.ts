/**
 * Bit flags describing how a command may be executed. They mirror the flags the server reports in
 * `COMMAND INFO` where one exists, plus what a client needs to decide on retries.
 */
export const CommandFlags = {
  /** No flags. */
  none: 0,
  /** Only reads data: may be served by a replica, and may be replayed after a lost connection. */
  readonly: 1 << 0,
  /** Modifies data: never replayed once its bytes were written, unless also `replaySafe`. */
  write: 1 << 1,
  /** May block the connection (BLPOP, XREAD BLOCK, WAIT...). */
  blocking: 1 << 2,
  /** Safe to send again after a lost connection even if its bytes were written (idempotent, e.g. SET without GET). */
  replaySafe: 1 << 3,
  /** The reply's bulk strings are wanted as bytes (`Uint8Array`), not UTF-8 text. */
  binaryReply: 1 << 4,
  /**
   * Touches or depends on the connection's state (AUTH, SELECT, CLIENT NO-EVICT, WAIT...): must not be multiplexed
   * blindly. A blocking command with this flag (WAIT counts the writes of its own connection) stays on the shared
   * connection instead of getting a dedicated one; its deadline is still extended by its block time.
   */
  connectionState: 1 << 5,
  /** Administrative command (CONFIG, CLUSTER, DEBUG...). */
  admin: 1 << 6,
  /**
   * The command itself is refused by the client, whatever its arguments (SELECT, MONITOR, SUBSCRIBE... sent through
   * `Redis.call`: they need a connection of their own): its `invalid` says why. A cluster client whose routing
   * table refuses the command too reports that instead (`UnsupportedInClusterError`), since no API would run it
   * there.
   */
  refused: 1 << 7
} as const

/** A combination of {@link CommandFlags}. */
export type CommandFlagSet = number

/** Whether `flags` contains every bit of `flag`. */
export const hasFlag = (flags: CommandFlagSet, flag: number): boolean => (flags & flag) === flag
