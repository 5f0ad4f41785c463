import { Schema } from "effect"
import { makeReply, type Reply } from "../Reply.ts"
import { emptyRecord, mismatch, toText } from "../ReplyDecoding.ts"

// The CLIENT LIST / CLIENT INFO line format, shared by clients.ts and acl.ts (ACL LOG entries describe their client
// with the same line). RESP2 sends the lines as a bulk string, RESP3 as a verbatim string: both decode to the same
// value.

/**
 * One client connection as CLIENT LIST / CLIENT INFO describe it (`id=7 addr=127.0.0.1:50412 ...`). The fields
 * Redis 7.0 sends are typed (numbers as numbers); any other field (sent by later servers: `lib-name`, `lib-ver`,
 * `watch`...) is kept as text in `extra`.
 */
export interface ClientInfo {
  /** `id`: the unique 64-bit client id. */
  readonly id: number
  /** `addr`: the client's address and port. */
  readonly addr: string
  /** `laddr`: the local (server side) address and port the client connected to. */
  readonly laddr: string
  /** `fd`: the socket's file descriptor (-1 for internal clients). */
  readonly fd: number
  /** `name`: the name set with CLIENT SETNAME (empty when none). */
  readonly name: string
  /** `age`: seconds since the connection was opened. */
  readonly age: number
  /** `idle`: seconds since the last command. */
  readonly idle: number
  /** `flags`: one letter per flag (`N` none, `S` replica, `M` primary, `P` pub/sub, `x` in MULTI, `b` blocked...). */
  readonly flags: string
  /** `db`: the selected database. */
  readonly db: number
  /** `sub`: channel subscriptions. */
  readonly sub: number
  /** `psub`: pattern subscriptions. */
  readonly psub: number
  /** `ssub`: shard channel subscriptions. */
  readonly ssub: number
  /** `multi`: commands queued in MULTI (-1 outside a transaction). */
  readonly multi: number
  /** `qbuf`: query buffer length (bytes). */
  readonly qbuf: number
  /** `qbuf-free`: free bytes in the query buffer. */
  readonly qbufFree: number
  /** `argv-mem`: bytes of the next command's arguments. */
  readonly argvMem: number
  /** `multi-mem`: bytes used by the queued MULTI commands. */
  readonly multiMem: number
  /** `rbs`: read buffer size (bytes). */
  readonly rbs: number
  /** `rbp`: peak read buffer usage since the last shrink (bytes). */
  readonly rbp: number
  /** `obl`: output buffer length (bytes). */
  readonly obl: number
  /** `oll`: output list length (replies queued when the buffer is full). */
  readonly oll: number
  /** `omem`: output buffer memory (bytes). */
  readonly omem: number
  /** `tot-mem`: total memory the client uses (bytes). */
  readonly totMem: number
  /** `events`: file descriptor events (`r`, `w`). */
  readonly events: string
  /** `cmd`: the last command run (`client|list`). */
  readonly cmd: string
  /** `user`: the authenticated ACL user. */
  readonly user: string
  /** `redir`: the client id tracking notifications are redirected to (-1 when none). */
  readonly redir: number
  /** `resp`: the protocol version (2 or 3). */
  readonly resp: number
  /** Every field not listed above, as text. */
  readonly extra: Readonly<Record<string, string>>
}

/** The typed fields of a CLIENT LIST line: wire name, property, and whether it is a number. */
const clientInfoFields: ReadonlyArray<readonly [string, keyof ClientInfo, boolean]> = [
  ["id", "id", true], ["addr", "addr", false], ["laddr", "laddr", false], ["fd", "fd", true],
  ["name", "name", false], ["age", "age", true], ["idle", "idle", true], ["flags", "flags", false],
  ["db", "db", true], ["sub", "sub", true], ["psub", "psub", true], ["ssub", "ssub", true],
  ["multi", "multi", true], ["qbuf", "qbuf", true], ["qbuf-free", "qbufFree", true], ["argv-mem", "argvMem", true],
  ["multi-mem", "multiMem", true], ["rbs", "rbs", true], ["rbp", "rbp", true], ["obl", "obl", true],
  ["oll", "oll", true], ["omem", "omem", true], ["tot-mem", "totMem", true], ["events", "events", false],
  ["cmd", "cmd", false], ["user", "user", false], ["redir", "redir", true], ["resp", "resp", true]
]
const clientInfoFieldByWire = new Map(clientInfoFields.map((field) => [field[0], field] as const))

/** The Schema of {@link ClientInfo}. */
export const ClientInfoSchema = Schema.Struct({
  id: Schema.Number,
  addr: Schema.String,
  laddr: Schema.String,
  fd: Schema.Number,
  name: Schema.String,
  age: Schema.Number,
  idle: Schema.Number,
  flags: Schema.String,
  db: Schema.Number,
  sub: Schema.Number,
  psub: Schema.Number,
  ssub: Schema.Number,
  multi: Schema.Number,
  qbuf: Schema.Number,
  qbufFree: Schema.Number,
  argvMem: Schema.Number,
  multiMem: Schema.Number,
  rbs: Schema.Number,
  rbp: Schema.Number,
  obl: Schema.Number,
  oll: Schema.Number,
  omem: Schema.Number,
  totMem: Schema.Number,
  events: Schema.String,
  cmd: Schema.String,
  user: Schema.String,
  redir: Schema.Number,
  resp: Schema.Number,
  extra: Schema.Record(Schema.String, Schema.String)
})

/**
 * Parses one `name=value name=value ...` line of CLIENT LIST / CLIENT INFO; undefined when a Redis 7.0 field is
 * missing or a numeric field is not a number.
 */
export const parseClientInfo = (line: string): ClientInfo | undefined => {
  const out: Record<string, unknown> = {}
  const extra = emptyRecord<string>()
  let found = 0
  for (const part of line.trim().split(" ")) {
    if (part === "") continue
    const eq = part.indexOf("=")
    if (eq < 0) return undefined
    const wire = part.slice(0, eq), value = part.slice(eq + 1)
    const field = clientInfoFieldByWire.get(wire)
    if (field === undefined) {
      extra[wire] = value
      continue
    }
    if (field[2]) {
      const n = value === "" ? NaN : Number(value)
      if (!Number.isFinite(n)) return undefined
      out[field[1]] = n
    } else {
      out[field[1]] = value
    }
    found++
  }
  if (found !== clientInfoFields.length) return undefined
  out.extra = extra
  return out as unknown as ClientInfo
}

/** The lines of a CLIENT LIST reply (one client per line, possibly none) as {@link ClientInfo}s. */
export const parseClientList = (text: string): ReadonlyArray<ClientInfo> | undefined => {
  const out: Array<ClientInfo> = []
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue
    const info = parseClientInfo(line)
    if (info === undefined) return undefined
    out.push(info)
  }
  return out
}

/** CLIENT INFO: one line (RESP3 sends it as a verbatim string) to a {@link ClientInfo}. */
export const clientInfoReply: Reply<ClientInfo> = makeReply(ClientInfoSchema, (raw) => {
  const text = toText(raw)
  const info = text === undefined ? undefined : parseClientInfo(text)
  return info ?? mismatch("a CLIENT INFO line")(raw)
})

/** CLIENT LIST: lines to an array of {@link ClientInfo}. */
export const clientListReply: Reply<ReadonlyArray<ClientInfo>> = makeReply(Schema.Array(ClientInfoSchema), (raw) => {
  const text = toText(raw)
  const list = text === undefined ? undefined : parseClientList(text)
  return list ?? mismatch("CLIENT LIST lines")(raw)
})
