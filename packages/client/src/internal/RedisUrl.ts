import { Redacted, Result } from "effect"
import type { ConnectionOptions, NodeAddress } from "./connection/ConnectionOptions.ts"
import { ConfigurationError } from "./errors/ConfigurationError.ts"

/** A parsed `redis://` / `rediss://` URL: the nodes it names and the connection options it carries. */
export interface ParsedRedisUrl {
  /** One or more nodes (`redis://h1:7000,h2:7001` names several, for cluster seeds). */
  readonly nodes: ReadonlyArray<NodeAddress>
  /** Options from the URL: TLS for `rediss:`, user and password, database from the path. */
  readonly options: ConnectionOptions
}

const DEFAULT_PORT = 6379

/**
 * Parses `redis://[user[:password]@]host[:port][,host[:port]...][/db]` (and `rediss://` for TLS). User and
 * password are percent-decoded; the password becomes a `Redacted`. Anything else fails with a
 * {@link ConfigurationError} on the field `url` whose reason names the part at fault (the scheme, a host, a port,
 * the database path, a query option) and whose value is the URL with its password redacted.
 */
export const parseRedisUrl = (url: string): Result.Result<ParsedRedisUrl, ConfigurationError> => {
  if (typeof url !== "string") return Result.fail(urlError(String(url), "must be a string such as redis://host:6379"))
  const text = url.trim()
  const bad = (reason: string) => Result.fail(urlError(redactUrl(text), reason))
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text)
  if (scheme === null) return bad("not a URL: expected redis://host:port (or rediss:// for TLS)")
  const protocol = scheme[1]!.toLowerCase()
  if (protocol !== "redis" && protocol !== "rediss") {
    return bad(`unsupported scheme "${scheme[1]}:"; use redis:// (plain TCP) or rediss:// (TLS)`)
  }
  const rest = text.slice(scheme[0].length)
  // The last "@" ends the credentials: hosts, path and query never contain one, a password may.
  const at = rest.lastIndexOf("@")
  const credentials = at === -1 ? undefined : rest.slice(0, at)
  let tail = at === -1 ? rest : rest.slice(at + 1)

  const hash = tail.indexOf("#")
  if (hash !== -1) return bad(`a redis:// URL has no #fragment ("${tail.slice(hash)}")`)
  const question = tail.indexOf("?")
  if (question !== -1) {
    const query = tail.slice(question + 1)
    tail = tail.slice(0, question)
    const first = query.split("&").find((part) => part.length > 0)
    if (first !== undefined) {
      const name = first.split("=")[0]!
      return bad(`unknown option "${name}" in the query: redis:// URLs take no query options, give options to the layer instead`)
    }
  }
  const slash = tail.indexOf("/")
  const hosts = slash === -1 ? tail : tail.slice(0, slash)
  const path = slash === -1 ? "" : tail.slice(slash + 1)

  let database: number | undefined
  if (path !== "") {
    if (!/^\d+$/.test(path) || !Number.isSafeInteger(Number(path))) {
      return bad(`database "${path}" in the path is not a database index (the path of a redis:// URL is a number, e.g. /0)`)
    }
    database = Number(path)
  }

  if (hosts === "") return bad("no host: expected redis://host:port")
  const nodes: Array<NodeAddress> = []
  for (const part of hosts.split(",")) {
    const hostPort = /^(\[[0-9A-Fa-f:.%A-Za-z]+\]|[^:[\]]*)(?::(.*))?$/.exec(part)
    if (hostPort === null) return bad(`"${part}" is not host:port`)
    const host = hostPort[1]!.replace(/^\[|\]$/g, "")
    if (host === "") return bad(`"${part}" has no host`)
    if (!/^[A-Za-z0-9._~%:-]+$/.test(host)) return bad(`host "${host}" contains characters a host name cannot have`)
    const portText = hostPort[2]
    const port = portText === undefined ? DEFAULT_PORT : /^\d+$/.test(portText) ? Number(portText) : NaN
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      return bad(`port "${portText}" of "${part}" is not a port number (1 to 65535)`)
    }
    nodes.push({ host, port })
  }

  let username: string | undefined
  let password: Redacted.Redacted<string> | undefined
  if (credentials !== undefined) {
    const colon = credentials.indexOf(":")
    const user = colon === -1 ? credentials : credentials.slice(0, colon)
    const pass = colon === -1 ? undefined : credentials.slice(colon + 1)
    const decodedUser = decode(user)
    if (decodedUser === undefined) return bad("the user name is not valid percent-encoding")
    const decodedPass = pass === undefined ? undefined : decode(pass)
    if (pass !== undefined && decodedPass === undefined) return bad("the password is not valid percent-encoding")
    username = decodedUser === "" ? undefined : decodedUser
    // `redis://user@host` (no colon) names a user without a password; `redis://:pw@host` the default user.
    password = decodedPass === undefined ? undefined : Redacted.make(decodedPass)
  }

  return Result.succeed({
    nodes,
    options: {
      ...(protocol === "rediss" ? { tls: true } : {}),
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
      ...(database === undefined ? {} : { database })
    }
  })
}

const decode = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/** The value is quoted, as every string value of a `ConfigurationError` is (an empty one stays visible). */
const urlError = (value: string, reason: string) => new ConfigurationError({ field: "url", value: JSON.stringify(value), reason })

/**
 * The URL with any password replaced by `***`, for messages: everything between the first `:` of the credentials
 * and the last `@` (a password may itself contain `@`, `/`, `:`...).
 */
export const redactUrl = (url: string): string => {
  const start = url.indexOf("://")
  if (start === -1) return url
  const rest = url.slice(start + 3)
  const at = rest.lastIndexOf("@")
  if (at === -1) return url
  const colon = rest.indexOf(":")
  if (colon === -1 || colon > at) return url
  return `${url.slice(0, start + 3)}${rest.slice(0, colon + 1)}***${rest.slice(at)}`
}
