/**
 * The geo builders against the shared cluster and the standalone server, under RESP2 and RESP3: the same
 * assertions everywhere, so both protocols decode to the same values. Key positions are checked against the
 * server's own COMMAND GETKEYS.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Command, Redis } from "@effect-redis/client"
import { Effect, Option } from "effect"
import { invalid } from "./support/commandChecks.ts"
import { keysOf, runPrefix, targets } from "./support/targets.ts"

const prefix = runPrefix("geo")

// Positions as Redis stores them (52-bit geohash precision), parsed the way a reply's text is.
const palermo = { longitude: Number("13.36138933897018433"), latitude: Number("38.11555639549629859") }
const catania = { longitude: Number("15.08726745843887329"), latitude: Number("37.50266842333162032") }
const palermoHash = 3479099956230698
const cataniaHash = 3479447370796909

const hit = (member: string, fields: { distance?: number; hash?: number; coordinates?: { longitude: number; latitude: number } }) => ({
  member,
  distance: Option.fromUndefinedOr(fields.distance),
  hash: Option.fromUndefinedOr(fields.hash),
  coordinates: Option.fromUndefinedOr(fields.coordinates)
})

/** The key indexes a builder declares equal the ones the server's COMMAND GETKEYS finds. */
const keysMatchServer = <A>(command: Command<A>) =>
  Effect.gen(function*() {
    const serverKeys = yield* Redis.call(["COMMAND", "GETKEYS", ...command.args])
    assert.deepStrictEqual<unknown>(command.keyIndexes.map((i) => command.args[i]), serverKeys, String(command))
  })

describe.each(targets)("geo on $name", ({ name, layer }) => {
  const k = keysOf(prefix, name)

  /** Palermo and Catania in a fresh key. */
  const sicily = (key: string) =>
    Effect.gen(function*() {
      yield* Redis.del(key)
      assert.strictEqual(
        yield* Redis.geoadd(key, [
          { longitude: 13.361389, latitude: 38.115556, member: "Palermo" },
          { longitude: 15.087269, latitude: 37.502669, member: "Catania" }
        ]),
        2
      )
    })

  it.live("GEOADD NX/XX/CH, GEOPOS, GEODIST, GEOHASH", () =>
    Effect.gen(function*() {
      const key = k("sicily")
      yield* sicily(key)
      // XX: only updates (edge1 is not added); CH counts moved members (Palermo does not move).
      assert.strictEqual(
        yield* Redis.geoadd(key, [{ longitude: 13.361389, latitude: 38.115556, member: "Palermo" }, {
          longitude: 12.758489,
          latitude: 38.788135,
          member: "edge1"
        }], { xx: true, ch: true }),
        0
      )
      // NX: only adds (Palermo is not moved).
      assert.strictEqual(
        yield* Redis.geoadd(key, [{ longitude: 13.361389, latitude: 38.2, member: "Palermo" }, {
          longitude: 12.758489,
          latitude: 38.788135,
          member: "edge1"
        }], { nx: true }),
        1
      )
      // CH: moving Palermo counts as a change.
      assert.strictEqual(yield* Redis.geoadd(key, [{ longitude: 13.4, latitude: 38.115556, member: "Palermo" }], { ch: true }), 1)
      assert.strictEqual(yield* Redis.geoadd(key, [{ longitude: 13.361389, latitude: 38.115556, member: "Palermo" }]), 0)

      assert.deepStrictEqual(yield* Redis.geopos(key, ["Palermo", "nope", "Catania"]), [
        Option.some(palermo),
        Option.none(),
        Option.some(catania)
      ])
      assert.deepStrictEqual(yield* Redis.geopos(key, "Catania"), [Option.some(catania)])
      assert.deepStrictEqual(yield* Redis.geopos(k("missing"), ["a"]), [Option.none()])

      assert.deepStrictEqual(yield* Redis.geodist(key, "Palermo", "Catania"), Option.some(166274.1516))
      assert.deepStrictEqual(yield* Redis.geodist(key, "Palermo", "Catania", { unit: "km" }), Option.some(166.2742))
      assert.deepStrictEqual(yield* Redis.geodist(key, "Palermo", "Catania", { unit: "mi" }), Option.some(103.3182))
      assert.deepStrictEqual(yield* Redis.geodist(key, "Palermo", "Catania", { unit: "ft" }), Option.some(545518.87))
      assert.deepStrictEqual(yield* Redis.geodist(key, "Palermo", "Palermo", { unit: "m" }), Option.some(0))
      assert.deepStrictEqual(yield* Redis.geodist(key, "Palermo", "nope"), Option.none())

      assert.deepStrictEqual(yield* Redis.geohash(key, ["Palermo", "nope", "Catania"]), [
        Option.some("sqc8b49rny0"),
        Option.none(),
        Option.some("sqdtr74hyu0")
      ])
      assert.deepStrictEqual(yield* Redis.geohash(key, "Palermo"), [Option.some("sqc8b49rny0")])
      assert.deepStrictEqual(yield* Redis.geohash(key, []), [])

      yield* invalid(Redis.geoadd(key, [{ longitude: 1, latitude: 1, member: "x" }], { nx: true, xx: true }))
      yield* invalid(Redis.geoadd(key, []))
      yield* invalid(Redis.geoadd(key, [{ longitude: 181, latitude: 0, member: "x" }]))
      yield* invalid(Redis.geoadd(key, [{ longitude: 0, latitude: 85.06, member: "x" }]))
      yield* invalid(Redis.geoadd(key, [{ longitude: Number.NaN, latitude: 0, member: "x" }]))
      yield* invalid(Redis.geodist(key, "Palermo", "Catania", { unit: "miles" as "mi" }))
      // Nothing was written by the refused commands.
      assert.deepStrictEqual(yield* Redis.geopos(key, "x"), [Option.none()])
    }).pipe(Effect.provide(layer)))

  it.live("GEOSEARCH and GEOSEARCH WITH*: the same hits under RESP2 and RESP3", () =>
    Effect.gen(function*() {
      const key = k("search")
      yield* sicily(key)
      yield* Redis.geoadd(key, [
        { longitude: 12.758489, latitude: 38.788135, member: "edge1" },
        { longitude: 17.24151, latitude: 38.788135, member: "edge2" }
      ])
      const fromPoint = { lonlat: [15, 37] as const }
      assert.deepStrictEqual(
        yield* Redis.geosearch(key, { from: fromPoint, by: { radius: 200, unit: "km" }, order: "ASC" }),
        ["Catania", "Palermo"]
      )
      assert.deepStrictEqual(
        yield* Redis.geosearch(key, { from: fromPoint, by: { radius: 200, unit: "km" }, order: "DESC" }),
        ["Palermo", "Catania"]
      )
      assert.deepStrictEqual(
        yield* Redis.geosearch(key, { from: fromPoint, by: { radius: 200, unit: "km" }, order: "ASC", count: { count: 1 } }),
        ["Catania"]
      )
      assert.deepStrictEqual(
        (yield* Redis.geosearch(key, { from: fromPoint, by: { radius: 200, unit: "km" }, count: { count: 2, any: true } })).length,
        2
      )
      assert.deepStrictEqual(
        yield* Redis.geosearch(key, { from: fromPoint, by: { box: { width: 400, height: 400, unit: "km" } }, order: "ASC" }),
        ["Catania", "Palermo", "edge2", "edge1"]
      )
      assert.deepStrictEqual(
        yield* Redis.geosearch(key, { from: { member: "Palermo" }, by: { radius: 100, unit: "km" }, order: "ASC" }),
        ["Palermo", "edge1"]
      )
      assert.deepStrictEqual(yield* Redis.geosearch(key, { from: fromPoint, by: { radius: 1, unit: "m" } }), [])
      assert.deepStrictEqual(yield* Redis.geosearch(k("missing"), { from: fromPoint, by: { radius: 1, unit: "km" } }), [])

      assert.deepStrictEqual(
        yield* Redis.geosearchWith(key, { from: fromPoint, by: { box: { width: 400, height: 400, unit: "km" } }, order: "ASC", count: { count: 2 } }, {
          withCoord: true,
          withDist: true,
          withHash: true
        }),
        [
          hit("Catania", { distance: 56.4413, hash: cataniaHash, coordinates: catania }),
          hit("Palermo", { distance: 190.4424, hash: palermoHash, coordinates: palermo })
        ]
      )
      assert.deepStrictEqual(
        yield* Redis.geosearchWith(key, { from: fromPoint, by: { radius: 200, unit: "km" }, order: "ASC" }, { withHash: true, withCoord: true }),
        [hit("Catania", { hash: cataniaHash, coordinates: catania }), hit("Palermo", { hash: palermoHash, coordinates: palermo })]
      )
      assert.deepStrictEqual(
        yield* Redis.geosearchWith(key, { from: { member: "Palermo" }, by: { radius: 200, unit: "km" }, order: "DESC" }, { withDist: true }),
        [hit("Catania", { distance: 166.2742 }), hit("edge1", { distance: 91.4007 }), hit("Palermo", { distance: 0 })]
      )
      assert.deepStrictEqual(
        yield* Redis.geosearchWith(key, { from: fromPoint, by: { radius: 200, unit: "km" }, order: "ASC" }, {}),
        [hit("Catania", {}), hit("Palermo", {})]
      )

      yield* invalid(Redis.geosearch(key, { from: { member: "Palermo", lonlat: [1, 1] } as never, by: { radius: 1, unit: "km" } }))
      yield* invalid(Redis.geosearch(key, { from: {} as never, by: { radius: 1, unit: "km" } }))
      yield* invalid(Redis.geosearch(key, { from: fromPoint, by: { radius: 1, unit: "km", box: { width: 1, height: 1, unit: "km" } } as never }))
      yield* invalid(Redis.geosearch(key, { from: fromPoint, by: { radius: -1, unit: "km" } }))
      yield* invalid(Redis.geosearch(key, { from: fromPoint, by: { box: { width: -1, height: 1, unit: "km" } } }))
      yield* invalid(Redis.geosearch(key, { from: fromPoint, by: { radius: 1, unit: "km" }, count: { count: 0 } }))
      yield* invalid(Redis.geosearch(key, { from: { lonlat: [0, 90] }, by: { radius: 1, unit: "km" } }))
      yield* invalid(Redis.geosearch(key, { from: fromPoint, by: { radius: 1, unit: "km" }, order: "UP" as "ASC" }))
      yield* invalid(Redis.geosearchWith(key, { from: fromPoint, by: { radius: Infinity, unit: "km" } }, { withDist: true }))
    }).pipe(Effect.provide(layer)))

  it.live("GEOSEARCHSTORE with and without STOREDIST", () =>
    Effect.gen(function*() {
      const [source, destination] = [k("store-src"), k("store-dst")]
      yield* sicily(source)
      const query = { from: { lonlat: [15, 37] as const }, by: { radius: 200, unit: "km" as const }, order: "ASC" as const }
      assert.strictEqual(yield* Redis.geosearchstore(destination, source, query), 2)
      // STORE keeps geohash scores: the destination is a geo set itself.
      assert.deepStrictEqual(yield* Redis.geopos(destination, ["Catania"]), [Option.some(catania)])
      assert.strictEqual(yield* Redis.geosearchstore(destination, source, { ...query, count: { count: 1 } }, { storeDist: true }), 1)
      const score = yield* Redis.call(["ZSCORE", destination, "Catania"])
      assert.closeTo(Number(score), 56.4413, 0.0001)
      assert.strictEqual(yield* Redis.geosearchstore(destination, k("missing"), query), 0)
      yield* invalid(Redis.geosearchstore(destination, source, { ...query, count: { count: -1 } }))
      yield* keysMatchServer(Redis.geosearchstore(destination, source, query, { storeDist: true }))
    }).pipe(Effect.provide(layer)))

  it.live("GEORADIUS, GEORADIUSBYMEMBER and their _RO, WITH and STORE forms", () =>
    Effect.gen(function*() {
      const [key, destination] = [k("radius"), k("radius-dst")]
      yield* sicily(key)
      yield* Redis.geoadd(key, [{ longitude: 12.758489, latitude: 38.788135, member: "edge1" }])

      assert.deepStrictEqual(yield* Redis.georadius(key, 15, 37, 200, "km", { order: "ASC" }), ["Catania", "Palermo"])
      assert.deepStrictEqual(yield* Redis.georadius(key, 15, 37, 200, "km", { order: "DESC", count: { count: 1 } }), ["Palermo"])
      assert.deepStrictEqual(yield* Redis.georadiusRo(key, 15, 37, 200, "km", { order: "ASC" }), ["Catania", "Palermo"])
      assert.deepStrictEqual(yield* Redis.georadiusRo(k("missing"), 15, 37, 200, "km"), [])
      assert.deepStrictEqual(
        yield* Redis.georadiusWith(key, 15, 37, 200, "km", { withDist: true, withCoord: true }, { order: "ASC" }),
        [hit("Catania", { distance: 56.4413, coordinates: catania }), hit("Palermo", { distance: 190.4424, coordinates: palermo })]
      )
      assert.deepStrictEqual(
        yield* Redis.georadiusRoWith(key, 15, 37, 200, "km", { withHash: true }, { order: "ASC", count: { count: 1 } }),
        [hit("Catania", { hash: cataniaHash })]
      )

      assert.deepStrictEqual(yield* Redis.georadiusbymember(key, "Palermo", 100, "km", { order: "ASC" }), ["Palermo", "edge1"])
      assert.deepStrictEqual(yield* Redis.georadiusbymemberRo(key, "Palermo", 100, "km", { order: "DESC" }), ["edge1", "Palermo"])
      assert.deepStrictEqual(
        yield* Redis.georadiusbymemberWith(key, "Palermo", 100, "km", { withDist: true }, { order: "ASC" }),
        [hit("Palermo", { distance: 0 }), hit("edge1", { distance: 91.4007 })]
      )
      assert.deepStrictEqual(
        yield* Redis.georadiusbymemberRoWith(key, "Palermo", 200, "km", { withDist: true, withHash: true, withCoord: true }, { order: "DESC", count: { count: 1 } }),
        [hit("Catania", { distance: 166.2742, hash: cataniaHash, coordinates: catania })]
      )
      const noSuchMember = yield* Effect.flip(Redis.georadiusbymember(key, "nope", 100, "km"))
      assert.strictEqual(noSuchMember._tag, "ReplyError")

      assert.strictEqual(yield* Redis.georadiusStore(key, 15, 37, 200, "km", destination), 2)
      assert.deepStrictEqual(yield* Redis.geopos(destination, "Palermo"), [Option.some(palermo)])
      assert.strictEqual(yield* Redis.georadiusStore(key, 15, 37, 200, "km", destination, { storeDist: true, order: "ASC", count: { count: 1 } }), 1)
      assert.closeTo(Number(yield* Redis.call(["ZSCORE", destination, "Catania"])), 56.4413, 0.0001)
      assert.strictEqual(yield* Redis.georadiusbymemberStore(key, "Palermo", 200, "km", destination), 3)
      assert.deepStrictEqual(yield* Redis.geopos(destination, "edge1"), [Option.some({
        longitude: Number("12.7584877610206604"),
        latitude: Number("38.78813451624225195")
      })])
      assert.strictEqual(yield* Redis.georadiusbymemberStore(key, "Palermo", 100, "km", destination, { storeDist: true }), 2)
      assert.closeTo(Number(yield* Redis.call(["ZSCORE", destination, "edge1"])), 91.4007, 0.0001)

      // Key positions: the destination of STORE / STOREDIST is a key, as COMMAND GETKEYS says.
      assert.deepStrictEqual(Redis.georadiusStore(key, 15, 37, 200, "km", destination, { count: { count: 1, any: true } }).keyIndexes, [1, 10])
      assert.deepStrictEqual(Redis.georadiusbymemberStore(key, "STORE", 1, "km", destination, { storeDist: true }).keyIndexes, [1, 6])
      assert.deepStrictEqual(Redis.georadius(key, 15, 37, 200, "km", { order: "ASC" }).keyIndexes, [1])
      for (
        const command of [
          Redis.georadiusStore(key, 15, 37, 200, "km", destination, { count: { count: 1, any: true }, order: "DESC" }),
          Redis.georadiusStore(key, 15, 37, 200, "km", destination, { storeDist: true }),
          Redis.georadiusbymemberStore(key, "STORE", 1, "km", destination),
          Redis.georadiusbymemberStore(key, "Palermo", 1, "km", destination, { storeDist: true, order: "ASC" }),
          Redis.georadius(key, 15, 37, 200, "km", { count: { count: 3 } }),
          Redis.georadiusWith(key, 15, 37, 200, "km", { withDist: true }),
          Redis.georadiusRo(key, 15, 37, 200, "km"),
          Redis.georadiusbymember(key, "Palermo", 1, "km"),
          Redis.georadiusbymemberRoWith(key, "Palermo", 1, "km", { withHash: true })
        ] as ReadonlyArray<Command<unknown>>
      ) yield* keysMatchServer(command)

      yield* invalid(Redis.georadius(key, 200, 37, 200, "km"))
      yield* invalid(Redis.georadiusRo(key, 15, 37, -5, "km"))
      yield* invalid(Redis.georadiusWith(key, 15, 37, 200, "yd" as "m", { withDist: true }))
      yield* invalid(Redis.georadiusRoWith(key, 15, 37, 200, "km", { withDist: true }, { count: { count: 0 } }))
      yield* invalid(Redis.georadiusStore(key, 15, 37, 200, "km", destination, { count: { count: 1.5 } }))
      yield* invalid(Redis.georadiusbymember(key, "Palermo", Number.NaN, "km"))
      yield* invalid(Redis.georadiusbymemberRo(key, "Palermo", 1, "km", { order: "down" as "ASC" }))
      yield* invalid(Redis.georadiusbymemberWith(key, "Palermo", -1, "km", { withCoord: true }))
      yield* invalid(Redis.georadiusbymemberRoWith(key, "Palermo", 1, "km", { withCoord: true }, { count: { count: 0, any: true } }))
      yield* invalid(Redis.georadiusbymemberStore(key, "Palermo", 1, "lightyears" as "km", destination))
    }).pipe(Effect.provide(layer)))
})
