import type { RespArg, RespValue } from "@effect-redis/resp"
import { Option, Schema } from "effect"
import { type Command, type CommandSpec, defineCommand, InvalidOptions, makeCommand, specOf } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { type KeyPositions, twoKeys } from "../KeyPositions.ts"
import * as Replies from "../../Replies.ts"
import { makeReply, type Reply } from "../Reply.ts"
import { asArray, decodeEach, mismatch, nilAsNone, toFloat, toInteger, toText } from "../ReplyDecoding.ts"
import type { RedisKey, RedisValue } from "./types.ts"
import { atMostOne, integerAtLeast, nonEmpty } from "./validate.ts"

const { readonly, write, replaySafe } = CommandFlags

// ---------------------------------------------------------------------------------------------------------------
// Types

/** A distance unit of the geo commands: metres, kilometres, miles, feet. */
export type GeoUnit = "m" | "km" | "mi" | "ft"

/** A position on the globe, in degrees. */
export interface GeoCoordinates {
  readonly longitude: number
  readonly latitude: number
}

/** One member of a GEOADD: its position and name. */
export interface GeoMember extends GeoCoordinates {
  readonly member: RedisValue
}

/** Options of GEOADD. */
export interface GeoAddOptions {
  /** Only add new members, never update existing ones (NX). */
  readonly nx?: boolean | undefined
  /** Only update existing members, never add new ones (XX). */
  readonly xx?: boolean | undefined
  /** Count changed members (added or moved) instead of added ones (CH). */
  readonly ch?: boolean | undefined
}

/** Options of GEODIST. */
export interface GeoDistOptions {
  /** The unit of the distance; Redis defaults to metres. */
  readonly unit?: GeoUnit | undefined
}

/** Where a GEOSEARCH starts: an existing member of the set, or a longitude/latitude pair. */
export type GeoSearchFrom =
  | { readonly member: RedisValue }
  | { readonly lonlat: readonly [longitude: number, latitude: number] }

/** The area a GEOSEARCH covers: a circle of `radius`, or a `box` centred on the origin. */
export type GeoSearchBy =
  | { readonly radius: number; readonly unit: GeoUnit }
  | { readonly box: { readonly width: number; readonly height: number; readonly unit: GeoUnit } }

/** COUNT of the geo searches: at most `count` results; with `any`, the first `count` found, not the nearest. */
export interface GeoCount {
  readonly count: number
  readonly any?: boolean | undefined
}

/** A GEOSEARCH / GEOSEARCHSTORE query: origin, area, and optionally order and count. */
export interface GeoSearchQuery {
  readonly from: GeoSearchFrom
  readonly by: GeoSearchBy
  /** Sort by distance from the origin (ASC: nearest first). Unsorted when absent (unless `count` is set). */
  readonly order?: "ASC" | "DESC" | undefined
  readonly count?: GeoCount | undefined
}

/** Which extra fields a search returns per member (WITHCOORD, WITHDIST, WITHHASH). */
export interface GeoWithOptions {
  readonly withCoord?: boolean | undefined
  readonly withDist?: boolean | undefined
  readonly withHash?: boolean | undefined
}

/**
 * One member found by GEOSEARCH / GEORADIUS with WITH* options. A field is `Option.none()` exactly when it was
 * not asked for: `distance` (in the query's unit) with `withDist`, `hash` (the 52-bit geohash score, an exact
 * integer) with `withHash`, `coordinates` with `withCoord`.
 */
export interface GeoSearchHit {
  readonly member: string
  readonly distance: Option.Option<number>
  readonly hash: Option.Option<number>
  readonly coordinates: Option.Option<GeoCoordinates>
}

/** Options of GEOSEARCHSTORE. */
export interface GeoSearchStoreOptions {
  /** Store the distances from the origin as scores instead of the geohashes (STOREDIST). */
  readonly storeDist?: boolean | undefined
}

/** Options of GEORADIUS / GEORADIUSBYMEMBER (and their `_RO` forms) without STORE. */
export interface GeoRadiusOptions {
  readonly order?: "ASC" | "DESC" | undefined
  readonly count?: GeoCount | undefined
}

/** Options of GEORADIUS / GEORADIUSBYMEMBER with STORE. */
export interface GeoRadiusStoreOptions extends GeoRadiusOptions {
  /** STOREDIST: the destination's scores are the distances (in the query's unit), not geohashes (STORE). */
  readonly storeDist?: boolean | undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Replies

const GeoCoordinatesSchema = Schema.Struct({ longitude: Schema.Number, latitude: Schema.Number })

const GeoSearchHitSchema = Schema.Struct({
  member: Schema.String,
  distance: Schema.Option(Schema.Number),
  hash: Schema.Option(Schema.Number),
  coordinates: Schema.Option(GeoCoordinatesSchema)
})

/** `[longitude, latitude]` (RESP2 bulk strings, RESP3 doubles) to coordinates; undefined on another shape. */
const toCoordinates = (raw: RespValue): GeoCoordinates | undefined => {
  if (!Array.isArray(raw) || raw.length !== 2) return undefined
  const longitude = toFloat(raw[0]!), latitude = toFloat(raw[1]!)
  return longitude === undefined || latitude === undefined ? undefined : { longitude, latitude }
}

const optionalCoordinates = nilAsNone(toCoordinates)

/** GEOPOS: per member its coordinates, none for a missing member. */
const geoPositions: Reply<ReadonlyArray<Option.Option<GeoCoordinates>>> = makeReply(
  Schema.Array(Schema.Option(GeoCoordinatesSchema)),
  (raw) => decodeEach(asArray(raw), optionalCoordinates) ?? mismatch("an array of positions")(raw)
)

const WITH_DIST = 1
const WITH_HASH = 2
const WITH_COORD = 4

const withMask = (options: GeoWithOptions): number =>
  (options.withDist === true ? WITH_DIST : 0) | (options.withHash === true ? WITH_HASH : 0) |
  (options.withCoord === true ? WITH_COORD : 0)

/** Appends WITHCOORD / WITHDIST / WITHHASH for `mask`. */
const pushWith = (out: Array<RespArg>, mask: number): void => {
  if ((mask & WITH_COORD) !== 0) out.push("WITHCOORD")
  if ((mask & WITH_DIST) !== 0) out.push("WITHDIST")
  if ((mask & WITH_HASH) !== 0) out.push("WITHHASH")
}

/**
 * The hits of a search with the WITH* options in `mask`. Redis sends each hit as `[member, dist?, hash?, coord?]`
 * in that fixed order whatever the order of the options (a bare member when none is set); the distance is a bulk
 * string, the hash an integer and the coordinates a pair of bulk strings (RESP2) or doubles (RESP3). Decoding by
 * position, not by type, keeps distance and hash apart even if a server sends the distance as a RESP3 double.
 */
const geoHits = (mask: number): Reply<ReadonlyArray<GeoSearchHit>> =>
  makeReply(Schema.Array(GeoSearchHitSchema), (raw) => {
    if (!Array.isArray(raw)) return mismatch("an array of geo search results")(raw)
    const expectedLength = 1 + (mask & WITH_DIST ? 1 : 0) + (mask & WITH_HASH ? 1 : 0) + (mask & WITH_COORD ? 1 : 0)
    const out = new Array<GeoSearchHit>(raw.length)
    for (let i = 0; i < raw.length; i++) {
      const item = raw[i]!
      if (mask === 0) {
        const member = toText(item)
        if (member === undefined) return mismatch("an array of members")(raw)
        out[i] = { member, distance: Option.none(), hash: Option.none(), coordinates: Option.none() }
        continue
      }
      if (!Array.isArray(item) || item.length !== expectedLength) return mismatch("an array of geo search results")(raw)
      const member = toText(item[0]!)
      if (member === undefined) return mismatch("an array of geo search results")(raw)
      let at = 1
      let distance: Option.Option<number> = Option.none()
      let hash: Option.Option<number> = Option.none()
      let coordinates: Option.Option<GeoCoordinates> = Option.none()
      if ((mask & WITH_DIST) !== 0) {
        const d = toFloat(item[at++]!)
        if (d === undefined) return mismatch("a distance")(raw)
        distance = Option.some(d)
      }
      if ((mask & WITH_HASH) !== 0) {
        const h = toInteger(item[at++]!)
        if (h === undefined) return mismatch("a geohash integer")(raw)
        hash = Option.some(h)
      }
      if ((mask & WITH_COORD) !== 0) {
        const c = toCoordinates(item[at++]!)
        if (c === undefined) return mismatch("coordinates")(raw)
        coordinates = Option.some(c)
      }
      out[i] = { member, distance, hash, coordinates }
    }
    return out
  })

const hitReplies: ReadonlyArray<Reply<ReadonlyArray<GeoSearchHit>>> = Array.from({ length: 8 }, (_, mask) => geoHits(mask))

/** One spec per WITH* combination, for builders whose reply layout depends on those options. */
const hitSpecs = (name: string, flags: number, keys?: KeyPositions): ReadonlyArray<CommandSpec<ReadonlyArray<GeoSearchHit>>> =>
  hitReplies.map((reply) => specOf({ name, flags, ...(keys === undefined ? {} : { keys }), reply }))

// ---------------------------------------------------------------------------------------------------------------
// Validation and argument building

const LATITUDE_LIMIT = 85.05112878

const units: ReadonlySet<string> = new Set(["m", "km", "mi", "ft"])

const checkUnit = (unit: string): InvalidOptions | undefined =>
  units.has(unit) ? undefined : new InvalidOptions(`unit must be one of m, km, mi, ft, got ${String(unit)}`)

const checkPosition = (longitude: number, latitude: number): InvalidOptions | undefined => {
  if (!(typeof longitude === "number" && longitude >= -180 && longitude <= 180)) {
    return new InvalidOptions(`longitude must be within -180..180, got ${String(longitude)}`)
  }
  if (!(typeof latitude === "number" && latitude >= -LATITUDE_LIMIT && latitude <= LATITUDE_LIMIT)) {
    return new InvalidOptions(`latitude must be within -${LATITUDE_LIMIT}..${LATITUDE_LIMIT}, got ${String(latitude)}`)
  }
  return undefined
}

const checkNonNegative = (name: string, value: number): InvalidOptions | undefined =>
  typeof value === "number" && Number.isFinite(value) && value >= 0
    ? undefined
    : new InvalidOptions(`${name} must be a finite number >= 0, got ${String(value)}`)

/** Appends `[ASC|DESC] [COUNT count [ANY]]`, or the reason they cannot be sent. */
const pushOrderCount = (out: Array<RespArg>, options: GeoRadiusOptions): InvalidOptions | undefined => {
  if (options.order !== undefined) {
    if (options.order !== "ASC" && options.order !== "DESC") {
      return new InvalidOptions(`order must be ASC or DESC, got ${String(options.order)}`)
    }
    out.push(options.order)
  }
  if (options.count !== undefined) {
    const problem = integerAtLeast("count", options.count.count)
    if (problem !== undefined) return problem
    out.push("COUNT", options.count.count)
    if (options.count.any === true) out.push("ANY")
  }
  return undefined
}

/** Appends the FROM and BY parts and the order/count of a GEOSEARCH query. */
const pushQuery = (out: Array<RespArg>, query: GeoSearchQuery): InvalidOptions | undefined => {
  const from = query.from as { readonly member?: RedisValue; readonly lonlat?: readonly [number, number] }
  const by = query.by as {
    readonly radius?: number
    readonly unit?: GeoUnit
    readonly box?: { readonly width: number; readonly height: number; readonly unit: GeoUnit }
  }
  const fromProblem = atMostOne(from, ["member", "lonlat"])
  if (fromProblem !== undefined) return fromProblem
  if (from.member !== undefined) {
    out.push("FROMMEMBER", from.member)
  } else if (from.lonlat !== undefined) {
    const [longitude, latitude] = from.lonlat
    const problem = checkPosition(longitude, latitude)
    if (problem !== undefined) return problem
    out.push("FROMLONLAT", longitude, latitude)
  } else {
    return new InvalidOptions("from needs a member or lonlat")
  }
  const byProblem = atMostOne(by, ["radius", "box"])
  if (byProblem !== undefined) return byProblem
  if (by.radius !== undefined) {
    const problem = checkNonNegative("radius", by.radius) ?? checkUnit(by.unit as string)
    if (problem !== undefined) return problem
    out.push("BYRADIUS", by.radius, by.unit!)
  } else if (by.box !== undefined) {
    const { height, unit, width } = by.box
    const problem = checkNonNegative("width", width) ?? checkNonNegative("height", height) ?? checkUnit(unit)
    if (problem !== undefined) return problem
    out.push("BYBOX", width, height, unit)
  } else {
    return new InvalidOptions("by needs a radius or a box")
  }
  return pushOrderCount(out, query)
}

/**
 * Keys of GEORADIUS / GEORADIUSBYMEMBER as COMMAND INFO describes them: the source at index 1, and the argument
 * after a STORE or STOREDIST keyword searched from `startFrom` on.
 */
const radiusKeys = (startFrom: number): KeyPositions => (args) => {
  const out = [1]
  for (let i = startFrom; i < args.length - 1; i++) {
    const arg = args[i]
    if (typeof arg === "string") {
      const upper = arg.toUpperCase()
      if (upper === "STORE" || upper === "STOREDIST") out.push(++i)
    }
  }
  return out
}

const georadiusKeys = radiusKeys(6)
const georadiusbymemberKeys = radiusKeys(5)

// ---------------------------------------------------------------------------------------------------------------
// GEOADD, GEODIST, GEOHASH, GEOPOS

/**
 * GEOADD key [NX|XX] [CH] longitude latitude member [...]: adds or moves members; how many were added (with
 * `ch`: added or moved). Longitudes must be within -180..180 and latitudes within ±85.05112878.
 */
export const geoadd = defineCommand({
  name: "GEOADD", flags: write | replaySafe, reply: Replies.integer,
  args: (key: RedisKey, members: ReadonlyArray<GeoMember>, options: GeoAddOptions = {}) => {
    const problem = nonEmpty("members", members) ?? atMostOne(options, ["nx", "xx"])
    if (problem !== undefined) return problem
    const out: Array<RespArg> = ["GEOADD", key]
    if (options.nx === true) out.push("NX")
    if (options.xx === true) out.push("XX")
    if (options.ch === true) out.push("CH")
    for (const { latitude, longitude, member } of members) {
      const invalid = checkPosition(longitude, latitude)
      if (invalid !== undefined) return invalid
      out.push(longitude, latitude, member)
    }
    return out
  }
})

/** GEODIST key member1 member2 [unit]: the distance (default metres), none when either member is missing. */
export const geodist = defineCommand({
  name: "GEODIST", flags: readonly, reply: Replies.optionalFloat,
  args: (key: RedisKey, member1: RedisValue, member2: RedisValue, options: GeoDistOptions = {}) => {
    if (options.unit === undefined) return ["GEODIST", key, member1, member2]
    return checkUnit(options.unit) ?? ["GEODIST", key, member1, member2, options.unit]
  }
})

/** GEOHASH key member [...] (one member or an array): per member its 11-character geohash, none when missing. */
export const geohash = defineCommand({
  name: "GEOHASH", flags: readonly, reply: Replies.optionalStrings,
  args: (key: RedisKey, members: RedisValue | ReadonlyArray<RedisValue>) =>
    Array.isArray(members) ? ["GEOHASH", key, ...members] : ["GEOHASH", key, members as RedisValue]
})

/** GEOPOS key member [...] (one member or an array): per member its coordinates, none when missing. */
export const geopos = defineCommand({
  name: "GEOPOS", flags: readonly, reply: geoPositions,
  args: (key: RedisKey, members: RedisValue | ReadonlyArray<RedisValue>) =>
    Array.isArray(members) ? ["GEOPOS", key, ...members] : ["GEOPOS", key, members as RedisValue]
})

// ---------------------------------------------------------------------------------------------------------------
// GEOSEARCH, GEOSEARCHSTORE

/**
 * GEOSEARCH key FROMMEMBER member|FROMLONLAT lon lat BYRADIUS radius unit|BYBOX width height unit [ASC|DESC]
 * [COUNT count [ANY]]: the members in the area (unsorted unless `order` or `count` is given).
 */
export const geosearch = defineCommand({
  name: "GEOSEARCH", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, query: GeoSearchQuery) => {
    const out: Array<RespArg> = ["GEOSEARCH", key]
    return pushQuery(out, query) ?? out
  }
})

const geosearchWithSpecs = hitSpecs("GEOSEARCH", readonly)

/**
 * GEOSEARCH key ... [WITHCOORD] [WITHDIST] [WITHHASH]: the members in the area as {@link GeoSearchHit}s, each
 * with the fields asked for (the others `Option.none()`); the same value under RESP2 and RESP3.
 */
export const geosearchWith = (key: RedisKey, query: GeoSearchQuery, options: GeoWithOptions): Command<ReadonlyArray<GeoSearchHit>> => {
  const mask = withMask(options)
  const spec = geosearchWithSpecs[mask]!
  const out: Array<RespArg> = ["GEOSEARCH", key]
  const problem = pushQuery(out, query)
  if (problem !== undefined) return makeCommand(spec, ["GEOSEARCH"], problem.reason)
  pushWith(out, mask)
  return makeCommand(spec, out)
}

/**
 * GEOSEARCHSTORE destination source ... [STOREDIST]: stores the members found in `source` as a sorted set at
 * `destination` (scores: geohashes, or distances with `storeDist`); how many were stored. Two keys: on a cluster
 * they must share a slot.
 */
export const geosearchstore = defineCommand({
  name: "GEOSEARCHSTORE", flags: write | replaySafe, keys: twoKeys, reply: Replies.integer,
  args: (destination: RedisKey, source: RedisKey, query: GeoSearchQuery, options: GeoSearchStoreOptions = {}) => {
    const out: Array<RespArg> = ["GEOSEARCHSTORE", destination, source]
    const problem = pushQuery(out, query)
    if (problem !== undefined) return problem
    if (options.storeDist === true) out.push("STOREDIST")
    return out
  }
})

// ---------------------------------------------------------------------------------------------------------------
// GEORADIUS, GEORADIUSBYMEMBER and their _RO forms (deprecated by Redis in favour of GEOSEARCH)

const radiusLine = (
  name: string, key: RedisKey, longitude: number, latitude: number, radius: number, unit: GeoUnit
): Array<RespArg> | InvalidOptions =>
  checkPosition(longitude, latitude) ?? checkNonNegative("radius", radius) ?? checkUnit(unit) ??
    [name, key, longitude, latitude, radius, unit]

const byMemberLine = (
  name: string, key: RedisKey, member: RedisValue, radius: number, unit: GeoUnit
): Array<RespArg> | InvalidOptions =>
  checkNonNegative("radius", radius) ?? checkUnit(unit) ?? [name, key, member, radius, unit]

/** Finishes a plain (no WITH, no STORE) radius query. */
const finish = (line: Array<RespArg> | InvalidOptions, options: GeoRadiusOptions): Array<RespArg> | InvalidOptions =>
  line instanceof InvalidOptions ? line : pushOrderCount(line, options) ?? line

/** Finishes a radius query with STORE / STOREDIST `destination`. */
const finishStore = (
  line: Array<RespArg> | InvalidOptions, destination: RedisKey, options: GeoRadiusStoreOptions
): Array<RespArg> | InvalidOptions => {
  if (line instanceof InvalidOptions) return line
  const problem = pushOrderCount(line, options)
  if (problem !== undefined) return problem
  line.push(options.storeDist === true ? "STOREDIST" : "STORE", destination)
  return line
}

/** Builds a WITH* radius command on the spec matching its options. */
const withCommand = (
  specs: ReadonlyArray<CommandSpec<ReadonlyArray<GeoSearchHit>>>,
  line: Array<RespArg> | InvalidOptions,
  withOptions: GeoWithOptions,
  options: GeoRadiusOptions
): Command<ReadonlyArray<GeoSearchHit>> => {
  const mask = withMask(withOptions)
  const spec = specs[mask]!
  const problem = line instanceof InvalidOptions ? line : pushOrderCount(line, options)
  if (problem !== undefined) return makeCommand(spec, [spec.name], problem.reason)
  const out = line as Array<RespArg>
  pushWith(out, mask)
  return makeCommand(spec, out)
}

// A command and its _RO form take the same arguments; their WITH* builders differ only in name, flags and keys.

/** The WITH* builder of GEORADIUS or GEORADIUS_RO. */
const radiusWith = (name: string, flags: number, keys?: KeyPositions) => {
  const specs = hitSpecs(name, flags, keys)
  return (
    key: RedisKey, longitude: number, latitude: number, radius: number, unit: GeoUnit,
    withOptions: GeoWithOptions, options: GeoRadiusOptions = {}
  ): Command<ReadonlyArray<GeoSearchHit>> =>
    withCommand(specs, radiusLine(name, key, longitude, latitude, radius, unit), withOptions, options)
}

/** The WITH* builder of GEORADIUSBYMEMBER or GEORADIUSBYMEMBER_RO. */
const byMemberWith = (name: string, flags: number, keys?: KeyPositions) => {
  const specs = hitSpecs(name, flags, keys)
  return (
    key: RedisKey, member: RedisValue, radius: number, unit: GeoUnit, withOptions: GeoWithOptions,
    options: GeoRadiusOptions = {}
  ): Command<ReadonlyArray<GeoSearchHit>> =>
    withCommand(specs, byMemberLine(name, key, member, radius, unit), withOptions, options)
}

/**
 * GEORADIUS key longitude latitude radius unit [COUNT count [ANY]] [ASC|DESC]: the members within `radius` of
 * the position. Deprecated by Redis (use {@link geosearch}); flagged `write` like the server does (because of its
 * STORE form), so a cluster never sends it to a replica: use {@link georadiusRo} for replica reads.
 */
export const georadius = defineCommand({
  name: "GEORADIUS", flags: write | replaySafe, keys: georadiusKeys, reply: Replies.strings,
  args: (key: RedisKey, longitude: number, latitude: number, radius: number, unit: GeoUnit, options: GeoRadiusOptions = {}) =>
    finish(radiusLine("GEORADIUS", key, longitude, latitude, radius, unit), options)
})

/** GEORADIUS ... [WITHCOORD] [WITHDIST] [WITHHASH]: the members as {@link GeoSearchHit}s (see {@link geosearchWith}). */
export const georadiusWith = radiusWith("GEORADIUS", write | replaySafe, georadiusKeys)

/**
 * GEORADIUS key longitude latitude radius unit [COUNT count [ANY]] [ASC|DESC] STORE|STOREDIST destination: stores
 * the members found as a sorted set at `destination` (scores: geohashes, or distances with `storeDist`); how many
 * were stored. `destination` is a second key: on a cluster it must share the source's slot.
 */
export const georadiusStore = defineCommand({
  name: "GEORADIUS", flags: write | replaySafe, keys: georadiusKeys, reply: Replies.integer,
  args: (
    key: RedisKey, longitude: number, latitude: number, radius: number, unit: GeoUnit, destination: RedisKey,
    options: GeoRadiusStoreOptions = {}
  ) => finishStore(radiusLine("GEORADIUS", key, longitude, latitude, radius, unit), destination, options)
})

/** GEORADIUS_RO key longitude latitude radius unit [COUNT count [ANY]] [ASC|DESC]: read-only GEORADIUS. */
export const georadiusRo = defineCommand({
  name: "GEORADIUS_RO", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, longitude: number, latitude: number, radius: number, unit: GeoUnit, options: GeoRadiusOptions = {}) =>
    finish(radiusLine("GEORADIUS_RO", key, longitude, latitude, radius, unit), options)
})

/** GEORADIUS_RO ... [WITHCOORD] [WITHDIST] [WITHHASH]: the members as {@link GeoSearchHit}s. */
export const georadiusRoWith = radiusWith("GEORADIUS_RO", readonly)

/**
 * GEORADIUSBYMEMBER key member radius unit [COUNT count [ANY]] [ASC|DESC]: the members within `radius` of an
 * existing member (itself included). Deprecated by Redis (use {@link geosearch}); flagged `write` like the
 * server does: use {@link georadiusbymemberRo} for replica reads.
 */
export const georadiusbymember = defineCommand({
  name: "GEORADIUSBYMEMBER", flags: write | replaySafe, keys: georadiusbymemberKeys, reply: Replies.strings,
  args: (key: RedisKey, member: RedisValue, radius: number, unit: GeoUnit, options: GeoRadiusOptions = {}) =>
    finish(byMemberLine("GEORADIUSBYMEMBER", key, member, radius, unit), options)
})

/** GEORADIUSBYMEMBER ... [WITHCOORD] [WITHDIST] [WITHHASH]: the members as {@link GeoSearchHit}s. */
export const georadiusbymemberWith = byMemberWith("GEORADIUSBYMEMBER", write | replaySafe, georadiusbymemberKeys)

/**
 * GEORADIUSBYMEMBER key member radius unit [COUNT count [ANY]] [ASC|DESC] STORE|STOREDIST destination: stores the
 * members found at `destination`; how many were stored. `destination` is a second key (same slot on a cluster).
 */
export const georadiusbymemberStore = defineCommand({
  name: "GEORADIUSBYMEMBER", flags: write | replaySafe, keys: georadiusbymemberKeys, reply: Replies.integer,
  args: (
    key: RedisKey, member: RedisValue, radius: number, unit: GeoUnit, destination: RedisKey,
    options: GeoRadiusStoreOptions = {}
  ) => finishStore(byMemberLine("GEORADIUSBYMEMBER", key, member, radius, unit), destination, options)
})

/** GEORADIUSBYMEMBER_RO key member radius unit [COUNT count [ANY]] [ASC|DESC]: read-only GEORADIUSBYMEMBER. */
export const georadiusbymemberRo = defineCommand({
  name: "GEORADIUSBYMEMBER_RO", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, member: RedisValue, radius: number, unit: GeoUnit, options: GeoRadiusOptions = {}) =>
    finish(byMemberLine("GEORADIUSBYMEMBER_RO", key, member, radius, unit), options)
})

/** GEORADIUSBYMEMBER_RO ... [WITHCOORD] [WITHDIST] [WITHHASH]: the members as {@link GeoSearchHit}s. */
export const georadiusbymemberRoWith = byMemberWith("GEORADIUSBYMEMBER_RO", readonly)
