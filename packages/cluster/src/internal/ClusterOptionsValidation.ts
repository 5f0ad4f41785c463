/**
 * The checks `RedisCluster.layer` runs on its options before discovering anything: every mistake is a
 * `ConfigurationError` naming the option and its value (secrets redacted), never a `TopologyError` or a
 * connection failure that would send the user looking at the network.
 *
 * @module
 */
import { ConfigurationError } from "@effect-redis/client"
import { checkAgreesWithUrl, checkBoolean, checkConnectionOptions, checkDuration, checkFunction, checkInteger, checkKnownOptions, checkNonEmptyString, connectionOptionKeys, invalidOption, parseRedisUrl } from "@effect-redis/client/Connection"
import { Result, Schedule } from "effect"
import type { RedisClusterOptions } from "../RedisCluster.ts"
import type { RetrySchedules } from "./routing/RetrySchedules.ts"
import { formatAddress, type NodeAddressParts } from "./topology/ClusterSnapshot.ts"

/** Every option of {@link RedisClusterOptions} (the `Record` makes the compiler keep this list complete). */
const { database: _database, readOnly: _readOnly, ...sharedConnectionKeys } = connectionOptionKeys
const clusterOptionKeys: Readonly<Record<keyof RedisClusterOptions, true>> = {
  ...sharedConnectionKeys,
  startupNodes: true,
  url: true,
  maxRedirections: true,
  nonAtomicCrossSlot: true,
  readFrom: true,
  retry: true,
  closeTimeout: true,
  addressRemap: true,
  skipFullCoverageCheck: true,
  refreshInterval: true,
  refreshMinInterval: true,
  refreshTimeout: true,
  nodeTimeout: true,
  failOnUnresponsiveNode: true
}

const oneDatabase = "a cluster has a single database (0): remove the option"
const optionHints: Readonly<Record<string, string>> = {
  database: oneDatabase,
  readOnly: "replica connections are opened with READONLY by the readFrom option",
  host: "a cluster client takes startupNodes: [{ host, port }, ...] or a url with several hosts",
  port: "a cluster client takes startupNodes: [{ host, port }, ...] or a url with several hosts"
}

const retryKeys: Readonly<Record<keyof RetrySchedules, true>> = { tryAgain: true, clusterDown: true, loading: true, connection: true }
const readFromModes: ReadonlyArray<unknown> = ["primary", "replica", "preferReplica", "any"]

/** The options with the URL folded in and at least one startup node. */
export type ResolvedClusterOptions = RedisClusterOptions & { readonly startupNodes: ReadonlyArray<NodeAddressParts> }

/**
 * Checks every option and folds the URL in (its hosts become the startup nodes, its credentials and TLS fill
 * the options not given; an option given both ways must agree). Fails with the first `ConfigurationError`.
 */
export const resolveClusterOptions = (options: RedisClusterOptions): Result.Result<ResolvedClusterOptions, ConfigurationError> => {
  const unknown = checkKnownOptions(options, clusterOptionKeys, optionHints)
  if (unknown !== undefined) return Result.fail(unknown)
  let merged: RedisClusterOptions = options
  let nodes = options.startupNodes
  const nodesProblem = checkStartupNodes(nodes)
  if (nodesProblem !== undefined) return Result.fail(nodesProblem)
  if (options.url !== undefined) {
    const parsed = parseRedisUrl(options.url)
    if (Result.isFailure(parsed)) return Result.fail(parsed.failure)
    const { database, ...fromUrl } = parsed.success.options
    if (database !== undefined && database !== 0) {
      return Result.fail(invalidOption("url", options.url, `its path selects database ${database}, but a cluster has a single database (0): drop the path`))
    }
    if (nodes !== undefined && !sameNodes(nodes, parsed.success.nodes)) {
      return Result.fail(invalidOption("startupNodes", nodes, "conflicts with the hosts of the url; give the nodes once (startupNodes or url)"))
    }
    const conflict = checkAgreesWithUrl(fromUrl, options)
    if (conflict !== undefined) return Result.fail(conflict)
    merged = { ...fromUrl, ...definedOnly(options) }
    nodes = parsed.success.nodes
  }
  if (nodes === undefined || nodes.length === 0) {
    return Result.fail(invalidOption("startupNodes", nodes ?? [], "no startup nodes: give startupNodes or url"))
  }
  const invalid = checkConnectionOptions(merged) ??
    checkInteger("maxRedirections", options.maxRedirections, 0) ??
    checkBoolean("nonAtomicCrossSlot", options.nonAtomicCrossSlot) ??
    checkBoolean("skipFullCoverageCheck", options.skipFullCoverageCheck) ??
    checkBoolean("failOnUnresponsiveNode", options.failOnUnresponsiveNode) ??
    checkReadFrom(options.readFrom) ??
    checkFunction("addressRemap", options.addressRemap) ??
    checkDuration("refreshInterval", options.refreshInterval, { allowInfinity: true }) ??
    checkDuration("refreshMinInterval", options.refreshMinInterval, { allowZero: true }) ??
    checkDuration("refreshTimeout", options.refreshTimeout) ??
    checkDuration("nodeTimeout", options.nodeTimeout) ??
    checkDuration("closeTimeout", options.closeTimeout, { allowZero: true }) ??
    checkRetry(options.retry)
  return invalid === undefined ? Result.succeed({ ...merged, startupNodes: nodes }) : Result.fail(invalid)
}

const checkStartupNodes = (nodes: unknown): ConfigurationError | undefined => {
  if (nodes === undefined) return undefined
  if (!Array.isArray(nodes)) return invalidOption("startupNodes", nodes, "must be an array of { host, port }")
  for (let i = 0; i < nodes.length; i++) {
    const node: unknown = nodes[i]
    if (typeof node !== "object" || node === null) return invalidOption(`startupNodes[${i}]`, node, "must be { host, port }")
    const { host, port } = node as { readonly host?: unknown; readonly port?: unknown }
    const problem = host === undefined
      ? invalidOption(`startupNodes[${i}].host`, host, "is missing")
      : checkNonEmptyString(`startupNodes[${i}].host`, host) ??
        (port === undefined ? invalidOption(`startupNodes[${i}].port`, port, "is missing") : checkInteger(`startupNodes[${i}].port`, port, 1, 65535))
    if (problem !== undefined) return problem
  }
  return undefined
}

const sameNodes = (a: ReadonlyArray<NodeAddressParts>, b: ReadonlyArray<NodeAddressParts>): boolean => {
  const left = new Set(a.map((node) => formatAddress(node.host, node.port)))
  const right = new Set(b.map((node) => formatAddress(node.host, node.port)))
  return left.size === right.size && [...left].every((address) => right.has(address))
}

const checkReadFrom = (readFrom: unknown): ConfigurationError | undefined =>
  readFrom === undefined || typeof readFrom === "function" || readFromModes.includes(readFrom)
    ? undefined
    : invalidOption("readFrom", readFrom, `must be ${readFromModes.map((mode) => `"${mode}"`).join(", ")} or a function (shard, slot) => node`)

const checkRetry = (retry: unknown): ConfigurationError | undefined => {
  if (retry === undefined) return undefined
  if (typeof retry !== "object" || retry === null) return invalidOption("retry", retry, "must be an object of Schedules: { tryAgain, clusterDown, loading, connection }")
  const unknown = checkKnownOptions(retry, retryKeys)
  if (unknown !== undefined) return new ConfigurationError({ field: `retry.${unknown.field}`, value: unknown.value, reason: unknown.reason })
  for (const [kind, schedule] of Object.entries(retry)) {
    if (schedule !== undefined && !Schedule.isSchedule(schedule)) return invalidOption(`retry.${kind}`, schedule, "must be a Schedule")
  }
  return undefined
}

const definedOnly = <T extends object>(record: T): Partial<T> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>
