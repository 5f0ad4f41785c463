import { Redacted } from "effect"
import type { ConnectionOptions, NodeAddress } from "./connection/ConnectionOptions.ts"

/** A parsed `redis://` / `rediss://` URL: the nodes it names and the connection options it carries. */
export interface ParsedRedisUrl {
  /** One or more nodes (`redis://h1:7000,h2:7001` names several, for cluster seeds). */
  readonly nodes: ReadonlyArray<NodeAddress>
  /** Options from the URL: TLS for `rediss:`, user and password, database from the path. */
  readonly options: ConnectionOptions
}

/**
 * Parses `redis://[user[:password]@]host[:port][,host[:port]...][/db]` (and `rediss://` for TLS). The password
 * becomes a `Redacted`. Returns a description of what is wrong for anything else.
 */
export const parseRedisUrl = (url: string): ParsedRedisUrl | { readonly error: string } => {
  const match = /^(rediss?):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)(?:\/(\d*))?\/?$/.exec(url.trim())
  if (match === null) return { error: `not a redis:// or rediss:// URL: ${redactUrl(url)}` }
  const [, scheme, user, pass, hosts, db] = match
  const nodes: Array<NodeAddress> = []
  for (const part of hosts!.split(",")) {
    const hostPort = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(part)
    if (hostPort === null) return { error: `bad host:port "${part}" in ${redactUrl(url)}` }
    const port = hostPort[2] === undefined ? 6379 : Number(hostPort[2])
    if (!Number.isInteger(port) || port < 1 || port > 65535) return { error: `bad port in "${part}"` }
    nodes.push({ host: hostPort[1]!.replace(/^\[|\]$/g, ""), port })
  }
  const username = user === undefined || user === "" ? undefined : decodeURIComponent(user)
  const password = pass === undefined ? undefined : Redacted.make(decodeURIComponent(pass))
  return {
    nodes,
    options: {
      ...(scheme === "rediss" ? { tls: true } : {}),
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
      ...(db === undefined || db === "" ? {} : { database: Number(db) })
    }
  }
}

/** The URL with any password replaced by `***`, for messages. */
export const redactUrl = (url: string): string => url.replace(/(\/\/[^:@/]*:)[^@/]*@/, "$1***@")
