/**
 * The shape of one command of the catalog (`commands.generated.ts`), as the real servers describe it in
 * `COMMAND INFO` and `COMMAND DOCS`. Subcommands of container commands are entries of their own, named with a
 * space: `CLUSTER INFO`, `OBJECT ENCODING`.
 *
 * The catalog is the union of several servers' commands (Redis 7.0, Redis 8.0, Valkey 8.1): each entry lists the
 * servers that have it, and where the servers describe a command differently its metadata is their merge (the rule
 * is written down in `scripts/catalog/mergeCatalogs.ts`).
 *
 * @module
 */

/** A server a catalog was generated from: its flavour and exact version. */
export interface CatalogServer {
  readonly flavour: "redis" | "valkey"
  /** The version it reported, e.g. `8.0.2`. */
  readonly version: string
}

/** Where a key spec starts looking for keys: a fixed index, or just after a keyword. */
export type KeySpecBegin =
  | { readonly index: number }
  | { readonly keyword: string; readonly startFrom: number }
  | "unknown"

/**
 * How many keys a key spec covers once it found the first: a range (`lastKey` relative to the first key,
 * negative counts from the end; `limit` > 1 divides the remaining arguments) or a count argument (`keyNumIndex`
 * relative to the begin position, the first key `firstKey` after it).
 */
export type KeySpecFind =
  | { readonly lastKey: number; readonly step: number; readonly limit: number }
  | { readonly keyNumIndex: number; readonly firstKey: number; readonly step: number }
  | "unknown"

/** One key spec of a command (Redis 7 key specifications). */
export interface KeySpec {
  readonly begin: KeySpecBegin
  readonly find: KeySpecFind
  /** The server's flags for these keys: `RO`, `RW`, `OW`, `RM`, `access`, `update`, `insert`, `delete`, `not_key`, `incomplete`... */
  readonly flags: ReadonlyArray<string>
}

/** One command of the catalog. */
export interface CatalogEntry {
  /** Upper-case name; subcommands as `CONTAINER SUB` (`CLUSTER INFO`). */
  readonly name: string
  /** The server's command group: `string`, `list`, `sorted-set`, `server`, `cluster`, `module`... */
  readonly group: string
  /** The version that introduced it (empty for module commands, which have no docs). */
  readonly since: string
  /** One-line summary from `COMMAND DOCS`. */
  readonly summary: string
  /** Arity from `COMMAND INFO`: positive = exact argument count (name included), negative = at least. */
  readonly arity: number
  /** `COMMAND INFO` flags: `write`, `readonly`, `denyoom`, `admin`, `blocking`, `movablekeys`... */
  readonly flags: ReadonlyArray<string>
  /** Request/response tips: `request_policy:all_shards`, `response_policy:agg_sum`, `nondeterministic_output`... */
  readonly tips: ReadonlyArray<string>
  /** Where the keys are. */
  readonly keySpecs: ReadonlyArray<KeySpec>
  /**
   * The servers that have the command, by release line (`redis 7.0`, `redis 8.0`, `valkey 8.1`: see
   * `catalogServerLine`), in the catalog's server order.
   */
  readonly servers: ReadonlyArray<string>
  /**
   * Set when some server's `COMMAND DOCS` marks the command deprecated: the version since and its replacement (as
   * that server words them), and which servers mark it.
   */
  readonly deprecated?: {
    readonly since: string
    readonly replacedBy: string
    readonly servers: ReadonlyArray<string>
  } | undefined
}
