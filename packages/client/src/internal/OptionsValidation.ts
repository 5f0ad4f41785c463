/**
 * Checks of the options a client is built from, shared by the standalone and the cluster client: each check
 * returns a {@link ConfigurationError} naming the option and its value (secrets redacted), or `undefined`. They
 * run when the layer is built, before any connection is opened, so a typo or an out-of-range value is reported
 * as what it is instead of surfacing later as a connection or topology failure.
 *
 * @module
 */
import { Duration, Option, Redacted } from "effect"
import type { ConnectionOptions } from "./connection/ConnectionOptions.ts"
import { ConfigurationError } from "./errors/ConfigurationError.ts"
import { redactUrl } from "./RedisUrl.ts"

/** Every {@link ConnectionOptions} key (the `Record` makes the compiler keep this list complete). */
export const connectionOptionKeys: Readonly<Record<keyof ConnectionOptions, true>> = {
  tls: true,
  username: true,
  password: true,
  clientName: true,
  database: true,
  protocol: true,
  connectTimeout: true,
  commandTimeout: true,
  maxBlockingConnections: true,
  readOnly: true,
  onPush: true,
  keepAlive: true,
  maxBulkLength: true
}

/** A value as text for an error message: strings quoted, secrets and functions never shown. */
export const describeValue = (value: unknown): string => {
  if (Redacted.isRedacted(value)) return "<redacted>"
  if (typeof value === "string") return JSON.stringify(redactUrl(value))
  if (typeof value === "function") return "<function>"
  if (typeof value === "bigint") return `${value}n`
  if (typeof value !== "object" || value === null) return String(value)
  try {
    const text = JSON.stringify(value, (_, v) => (Redacted.isRedacted(v) ? "<redacted>" : typeof v === "bigint" ? `${v}n` : v))
    return text === undefined ? String(value) : text.length > 120 ? `${text.slice(0, 117)}...` : text
  } catch {
    return Object.prototype.toString.call(value)
  }
}

/** A {@link ConfigurationError} for `field` holding `value`. */
export const invalidOption = (field: string, value: unknown, reason: string): ConfigurationError =>
  new ConfigurationError({ field, value: describeValue(value), reason })

/**
 * Fails on the first key of `options` that is not in `known` (keys whose value is `undefined` included: a
 * misspelt option is a mistake whatever its value). `hints` explain keys that belong elsewhere (a cluster
 * option given to the standalone client...); otherwise a known name close to the typo is suggested.
 */
export const checkKnownOptions = (
  options: object,
  known: Readonly<Record<string, true>>,
  hints: Readonly<Record<string, string>> = {}
): ConfigurationError | undefined => {
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(known, key)) continue
    const value = (options as Record<string, unknown>)[key]
    if (Object.hasOwn(hints, key)) return invalidOption(key, value, hints[key]!)
    const typo = key.toLowerCase()
    const close = Object.keys(known).find((name) => {
      const candidate = name.toLowerCase()
      return editDistance(candidate, typo) <= 2 || (typo.length >= 4 && (candidate.startsWith(typo) || typo.startsWith(candidate)))
    })
    return invalidOption(key, value, `unknown option${close === undefined ? "" : `; did you mean ${close}?`}`)
  }
  return undefined
}

/** Fails unless `value` is an integer in `[min, max]` (`Infinity` accepted as max when `allowInfinity`). */
export const checkInteger = (
  field: string,
  value: unknown,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
  allowInfinity = false
): ConfigurationError | undefined => {
  if (value === undefined) return undefined
  if (allowInfinity && value === Infinity) return undefined
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return undefined
  const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`
  return invalidOption(field, value, `must be an integer ${range}${allowInfinity ? ", or Infinity" : ""}`)
}

/** Fails unless `value` is a boolean. */
export const checkBoolean = (field: string, value: unknown): ConfigurationError | undefined =>
  value === undefined || typeof value === "boolean" ? undefined : invalidOption(field, value, "must be true or false")

/** Fails unless `value` is a function. */
export const checkFunction = (field: string, value: unknown): ConfigurationError | undefined =>
  value === undefined || typeof value === "function" ? undefined : invalidOption(field, value, "must be a function")

/**
 * Fails unless `value` is a `Duration.Input` ("5 seconds", 500 for ms, a Duration...), not negative, positive
 * unless `allowZero`, and finite unless `allowInfinity`.
 */
export const checkDuration = (
  field: string,
  value: unknown,
  limits: { readonly allowZero?: boolean; readonly allowInfinity?: boolean } = {}
): ConfigurationError | undefined => {
  if (value === undefined) return undefined
  let decoded: Option.Option<Duration.Duration> = Option.none()
  // NaN decodes to a Duration, but no timeout can mean it.
  if (!(typeof value === "number" && Number.isNaN(value))) {
    try {
      decoded = Duration.fromInput(value as Duration.Input)
    } catch {
      decoded = Option.none()
    }
  }
  const accepted = `a duration such as "5 seconds" or a number of milliseconds${limits.allowInfinity === true ? ", or Infinity" : ""}`
  if (Option.isNone(decoded)) return invalidOption(field, value, `must be ${accepted}`)
  const duration = decoded.value
  if (Duration.isNegative(duration)) return invalidOption(field, value, "must not be negative")
  if (!Duration.isFinite(duration) && limits.allowInfinity !== true) return invalidOption(field, value, "must be finite")
  if (Duration.isZero(duration) && limits.allowZero !== true) return invalidOption(field, value, "must be more than zero")
  return undefined
}

/** Fails unless `value` is a non-empty string. */
export const checkNonEmptyString = (field: string, value: unknown): ConfigurationError | undefined =>
  value === undefined || (typeof value === "string" && value.length > 0) ? undefined : invalidOption(field, value, "must be a non-empty string")

/**
 * Checks the values of {@link ConnectionOptions} (not which keys are present: see {@link checkKnownOptions}):
 * types, ranges, `password` as a `Redacted`, a `username` only with a password, a client name the server
 * accepts.
 */
export const checkConnectionOptions = (options: ConnectionOptions): ConfigurationError | undefined =>
  checkTls(options.tls) ??
    checkNonEmptyString("username", options.username) ??
    checkPassword(options) ??
    checkClientName(options.clientName) ??
    checkInteger("database", options.database, 0) ??
    checkProtocol(options.protocol) ??
    checkDuration("connectTimeout", options.connectTimeout) ??
    checkDuration("commandTimeout", options.commandTimeout, { allowInfinity: true }) ??
    checkInteger("maxBlockingConnections", options.maxBlockingConnections, 1, Number.MAX_SAFE_INTEGER, true) ??
    checkBoolean("readOnly", options.readOnly) ??
    checkFunction("onPush", options.onPush) ??
    (options.keepAlive === false ? undefined : checkDuration("keepAlive", options.keepAlive, { allowZero: true })) ??
    checkInteger("maxBulkLength", options.maxBulkLength, 1)

/**
 * Fails when an option given explicitly contradicts what the URL says: a different user, password, database or
 * `tls: false` with `rediss://`. (Options the URL does not carry are simply added to it.)
 */
export const checkAgreesWithUrl = (fromUrl: ConnectionOptions, explicit: ConnectionOptions): ConfigurationError | undefined => {
  if (fromUrl.tls === true && explicit.tls === false) {
    return invalidOption("tls", false, "conflicts with the url: rediss:// asks for TLS; use redis:// for a plain connection")
  }
  if (fromUrl.username !== undefined && explicit.username !== undefined && fromUrl.username !== explicit.username) {
    return invalidOption("username", explicit.username, `conflicts with the url, which names the user "${fromUrl.username}"; give the user once`)
  }
  if (
    fromUrl.password !== undefined && explicit.password !== undefined && Redacted.isRedacted(explicit.password) &&
    Redacted.value(fromUrl.password) !== Redacted.value(explicit.password)
  ) {
    return invalidOption("password", explicit.password, "conflicts with the password in the url; give the password once")
  }
  if (fromUrl.database !== undefined && explicit.database !== undefined && fromUrl.database !== explicit.database) {
    return invalidOption("database", explicit.database, `conflicts with the url, whose path selects database ${fromUrl.database}`)
  }
  return undefined
}

const checkTls = (tls: unknown): ConfigurationError | undefined =>
  tls === undefined || typeof tls === "boolean" || (typeof tls === "object" && tls !== null)
    ? undefined
    : invalidOption("tls", tls, "must be true, false or Node's tls.ConnectionOptions (ca, cert, key, servername...)")

const checkPassword = (options: ConnectionOptions): ConfigurationError | undefined => {
  const password: unknown = options.password
  if (password !== undefined && !Redacted.isRedacted(password)) {
    // Never echo it: a plain string here is still the user's secret.
    return new ConfigurationError({
      field: "password",
      value: "<hidden>",
      reason: "must be a Redacted (Redacted.make(secret), or Config.Redacted), so it never shows in logs"
    })
  }
  if (options.username !== undefined && password === undefined) {
    return invalidOption(
      "username",
      options.username,
      "a user name is sent only with a password (AUTH user password): give password too (any value for a nopass user)"
    )
  }
  return undefined
}

const checkClientName = (name: unknown): ConfigurationError | undefined => {
  if (name === undefined) return undefined
  // The server's rule for CLIENT SETNAME / HELLO SETNAME: printable ASCII, no spaces.
  if (typeof name === "string" && /^[\x21-\x7e]+$/.test(name)) return undefined
  return invalidOption("clientName", name, "must be a non-empty string of printable characters without spaces (the server refuses others)")
}

const checkProtocol = (protocol: unknown): ConfigurationError | undefined =>
  protocol === undefined || protocol === 2 || protocol === 3 ? undefined : invalidOption("protocol", protocol, "must be 2 (RESP2) or 3 (RESP3)")

/** Levenshtein distance, for "did you mean" suggestions. */
const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = row
  }
  return previous[b.length]!
}
