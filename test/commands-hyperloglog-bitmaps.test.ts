/**
 * The HYPERLOGLOG and BITMAPS families: every builder against the shared cluster and the standalone server, under
 * RESP2 and RESP3 (BITFIELD's nil for OVERFLOW FAIL is `_` under RESP3, `$-1` under RESP2: both `Option.none()`).
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis } from "@effect-redis/client"
import { Effect, Option } from "effect"
import { invalid } from "./support/commandChecks.ts"
import { keysOf, runPrefix, targets } from "./support/targets.ts"

const prefix = runPrefix("hll-bitmaps")

const bytesOf = (value: Option.Option<Uint8Array>): Array<number> => Array.from(Option.getOrThrow(value))

describe.each(targets)("hyperloglog and bitmaps on $name", ({ name, layer }) => {
  const k = keysOf(prefix, name)

  it.live("PFADD, PFCOUNT, PFMERGE", () =>
    Effect.gen(function*() {
      const a = k("hll:a"), b = k("hll:b"), dest = k("hll:dest"), missing = k("hll:missing")
      assert.isTrue(yield* Redis.pfadd(a, ["x", "y", "z"]))
      assert.isFalse(yield* Redis.pfadd(a, ["x", "y"]))
      assert.isFalse(yield* Redis.pfadd(a))
      assert.isFalse(yield* Redis.pfadd(a, []))
      // Without elements: creates an empty HyperLogLog.
      assert.isTrue(yield* Redis.pfadd(k("hll:empty")))
      assert.strictEqual(yield* Redis.pfcount(k("hll:empty")), 0)
      assert.strictEqual(yield* Redis.type(k("hll:empty")), "string")

      assert.strictEqual(yield* Redis.pfcount(a), 3)
      assert.strictEqual(yield* Redis.pfcount(missing), 0)
      assert.isTrue(yield* Redis.pfadd(b, ["z", "w", 1, 2]))
      assert.strictEqual(yield* Redis.pfcount([a, b]), 6)
      assert.strictEqual(yield* Redis.pfcount([a, b, missing]), 6)

      assert.strictEqual(yield* Redis.pfmerge(dest, [a, b]), undefined)
      assert.strictEqual(yield* Redis.pfcount(dest), 6)
      yield* Redis.pfmerge(k("hll:dest2"), a)
      assert.strictEqual(yield* Redis.pfcount(k("hll:dest2")), 3)
      // No sources: creates (or keeps) the destination.
      yield* Redis.pfmerge(k("hll:dest3"))
      assert.strictEqual(yield* Redis.exists(k("hll:dest3")), 1)
      assert.strictEqual(yield* Redis.pfcount(k("hll:dest3")), 0)
      yield* Redis.pfmerge(dest, [])
      assert.strictEqual(yield* Redis.pfcount(dest), 6)
      assert.deepStrictEqual(Redis.pfmerge(dest, [a, b]).keyIndexes, [1, 2, 3])

      yield* invalid(Redis.pfcount([]))
    }).pipe(Effect.provide(layer)))

  it.live("SETBIT, GETBIT", () =>
    Effect.gen(function*() {
      const key = k("bits")
      assert.strictEqual(yield* Redis.setbit(key, 7, 1), 0)
      assert.strictEqual(yield* Redis.setbit(key, 7, 1), 1)
      assert.strictEqual(yield* Redis.setbit(key, 0, 1), 0)
      assert.strictEqual(yield* Redis.setbit(key, 0, 0), 1)
      assert.strictEqual(yield* Redis.getbit(key, 7), 1)
      assert.strictEqual(yield* Redis.getbit(key, 0), 0)
      assert.strictEqual(yield* Redis.getbit(key, 1000), 0)
      assert.strictEqual(yield* Redis.getbit(k("bits:missing"), 3), 0)
      assert.deepStrictEqual(bytesOf(yield* Redis.getBytes(key)), [0x01])

      yield* invalid(Redis.setbit(key, 1, 2 as 0 | 1))
      yield* invalid(Redis.setbit(key, -1, 1))
      yield* invalid(Redis.setbit(key, 1.5, 1))
      yield* invalid(Redis.getbit(key, -1))
      assert.deepStrictEqual(bytesOf(yield* Redis.getBytes(key)), [0x01])
    }).pipe(Effect.provide(layer)))

  it.live("BITCOUNT with byte and bit ranges", () =>
    Effect.gen(function*() {
      const key = k("count")
      yield* Redis.set(key, "foobar")
      assert.strictEqual(yield* Redis.bitcount(key), 26)
      assert.strictEqual(yield* Redis.bitcount(key, { start: 0, end: 0 }), 4)
      assert.strictEqual(yield* Redis.bitcount(key, { start: 1, end: 1 }), 6)
      assert.strictEqual(yield* Redis.bitcount(key, { start: -2, end: -1, unit: "BYTE" }), 7)
      assert.strictEqual(yield* Redis.bitcount(key, { start: 5, end: 30, unit: "BIT" }), 17)
      assert.strictEqual(yield* Redis.bitcount(k("count:missing")), 0)
      assert.strictEqual(yield* Redis.bitcount(k("count:missing"), { start: 0, end: -1 }), 0)

      yield* invalid(Redis.bitcount(key, { start: 0 }))
      yield* invalid(Redis.bitcount(key, { end: 1 }))
      yield* invalid(Redis.bitcount(key, { unit: "BIT" }))
      yield* invalid(Redis.bitcount(key, { start: 0.5, end: 1 }))
      yield* invalid(Redis.bitcount(key, { start: 0, end: 1, unit: "WORD" as "BIT" }))
    }).pipe(Effect.provide(layer)))

  it.live("BITPOS with ranges", () =>
    Effect.gen(function*() {
      const key = k("pos")
      yield* Redis.set(key, new Uint8Array([0x00, 0xff, 0xf0]))
      assert.strictEqual(yield* Redis.bitpos(key, 1), 8)
      assert.strictEqual(yield* Redis.bitpos(key, 0), 0)
      assert.strictEqual(yield* Redis.bitpos(key, 1, { start: 2 }), 16)
      assert.strictEqual(yield* Redis.bitpos(key, 0, { start: 1 }), 20)
      assert.strictEqual(yield* Redis.bitpos(key, 1, { start: 2, end: -1, unit: "BYTE" }), 16)
      assert.strictEqual(yield* Redis.bitpos(key, 1, { start: 7, end: 15, unit: "BIT" }), 8)
      assert.strictEqual(yield* Redis.bitpos(key, 0, { start: 1, end: 1 }), -1)
      const ones = k("pos:ones")
      yield* Redis.set(ones, new Uint8Array([0xff]))
      // Looking for 0 without an end: the first clear bit past the string.
      assert.strictEqual(yield* Redis.bitpos(ones, 0), 8)
      assert.strictEqual(yield* Redis.bitpos(ones, 0, { start: 0, end: -1 }), -1)
      assert.strictEqual(yield* Redis.bitpos(k("pos:missing"), 0), 0)
      assert.strictEqual(yield* Redis.bitpos(k("pos:missing"), 1), -1)

      yield* invalid(Redis.bitpos(key, 2 as 0 | 1))
      yield* invalid(Redis.bitpos(key, 1, { end: 3 }))
      yield* invalid(Redis.bitpos(key, 1, { start: 0, unit: "BIT" }))
      yield* invalid(Redis.bitpos(key, 1, { start: 1.5 }))
    }).pipe(Effect.provide(layer)))

  it.live("BITOP AND, OR, XOR, NOT", () =>
    Effect.gen(function*() {
      const a = k("op:a"), b = k("op:b"), dest = k("op:dest"), missing = k("op:missing")
      yield* Redis.set(a, new Uint8Array([0b1100_0011, 0xff]))
      yield* Redis.set(b, new Uint8Array([0b1010_1010]))
      assert.strictEqual(yield* Redis.bitop("AND", dest, [a, b]), 2)
      assert.deepStrictEqual(bytesOf(yield* Redis.getBytes(dest)), [0b1000_0010, 0x00])
      assert.strictEqual(yield* Redis.bitop("OR", dest, [a, b]), 2)
      assert.deepStrictEqual(bytesOf(yield* Redis.getBytes(dest)), [0b1110_1011, 0xff])
      assert.strictEqual(yield* Redis.bitop("XOR", dest, [a, b, missing]), 2)
      assert.deepStrictEqual(bytesOf(yield* Redis.getBytes(dest)), [0b0110_1001, 0xff])
      assert.strictEqual(yield* Redis.bitop("NOT", dest, a), 2)
      assert.deepStrictEqual(bytesOf(yield* Redis.getBytes(dest)), [0b0011_1100, 0x00])
      assert.strictEqual(yield* Redis.bitop("NOT", dest, [b]), 1)
      assert.deepStrictEqual(bytesOf(yield* Redis.getBytes(dest)), [0b0101_0101])
      // Only missing sources: an empty result deletes the destination.
      assert.strictEqual(yield* Redis.bitop("OR", dest, missing), 0)
      assert.strictEqual(yield* Redis.exists(dest), 0)
      const command = Redis.bitop("AND", dest, [a, b])
      assert.deepStrictEqual(command.args, ["BITOP", "AND", dest, a, b])
      assert.deepStrictEqual(command.keyIndexes, [2, 3, 4])

      yield* invalid(Redis.bitop("NOT", dest, [a, b]))
      yield* invalid(Redis.bitop("NAND" as "AND", dest, [a, b]))
      yield* invalid(Redis.bitop("AND", dest, []))
    }).pipe(Effect.provide(layer)))

  it.live("BITFIELD: GET, SET, INCRBY, OVERFLOW (nil on FAIL), #N offsets; BITFIELD_RO", () =>
    Effect.gen(function*() {
      const key = k("field")
      assert.deepStrictEqual(
        yield* Redis.bitfield(key, [
          { set: { type: "u8", offset: 0, value: 255 } },
          { get: { type: "u8", offset: 0 } },
          { incrby: { type: "u8", offset: 0, increment: 10 } }
        ]),
        [Option.some(0), Option.some(255), Option.some(9)]
      )
      assert.deepStrictEqual(
        yield* Redis.bitfield(key, [{ overflow: "SAT" }, { incrby: { type: "u8", offset: 0, increment: 300 } }]),
        [Option.some(255)]
      )
      assert.deepStrictEqual(
        yield* Redis.bitfield(key, [
          { overflow: "FAIL" },
          { incrby: { type: "u8", offset: "#0", increment: 1 } },
          { set: { type: "i4", offset: 0, value: 100 } },
          { get: { type: "u8", offset: "#0" } },
          { overflow: "WRAP" },
          { incrby: { type: "u8", offset: "#0", increment: 1 } }
        ]),
        [Option.none(), Option.none(), Option.some(255), Option.some(0)]
      )
      assert.deepStrictEqual(
        yield* Redis.bitfield(key, [
          { set: { type: "i64", offset: "#1", value: -5n } },
          { get: { type: "i64", offset: "#1" } },
          { get: { type: "u8", offset: 64 } },
          { get: { type: "i4", offset: 64 } },
          { set: { type: "i64", offset: "#2", value: 2n ** 62n } },
          { get: { type: "i64", offset: 128 } }
        ]),
        [Option.some(0), Option.some(-5), Option.some(255), Option.some(-1), Option.some(0), Option.some(2 ** 62)]
      )
      assert.deepStrictEqual(yield* Redis.bitfield(key, []), [])
      assert.deepStrictEqual(
        yield* Redis.bitfield(k("field:missing"), [{ get: { type: "u16", offset: 3 } }]),
        [Option.some(0)]
      )

      assert.deepStrictEqual(
        yield* Redis.bitfieldRo(key, [{ get: { type: "u8", offset: 0 } }, { get: { type: "i64", offset: "#1" } }]),
        [0, -5]
      )
      assert.deepStrictEqual(yield* Redis.bitfieldRo(k("field:missing"), [{ get: { type: "i8", offset: "#9" } }]), [0])
      assert.deepStrictEqual(yield* Redis.bitfieldRo(key, []), [])

      const field = (type: string, offset: unknown) => [{ get: { type, offset } }] as unknown as ReadonlyArray<Redis.BitfieldGet>
      yield* invalid(Redis.bitfield(key, field("u64", 0)))
      yield* invalid(Redis.bitfield(key, field("i65", 0)))
      yield* invalid(Redis.bitfield(key, field("u0", 0)))
      yield* invalid(Redis.bitfield(key, field("x8", 0)))
      yield* invalid(Redis.bitfield(key, field("u8", -1)))
      yield* invalid(Redis.bitfield(key, field("u8", 1.5)))
      yield* invalid(Redis.bitfield(key, field("u8", "#x")))
      yield* invalid(Redis.bitfield(key, field("u8", "8")))
      yield* invalid(Redis.bitfield(key, [{ set: { type: "u8", offset: 0, value: 1.5 } }]))
      yield* invalid(Redis.bitfield(key, [{ incrby: { type: "u8", offset: 0, increment: Number.NaN } }]))
      yield* invalid(Redis.bitfield(key, [{ overflow: "CLAMP" as "SAT" }]))
      yield* invalid(Redis.bitfield(key, [{ overflow: "SAT", get: { type: "u8", offset: 0 } } as unknown as Redis.BitfieldGet]))
      yield* invalid(Redis.bitfieldRo(key, field("i65", 0)))
      yield* invalid(Redis.bitfieldRo(key, [{ set: { type: "u8", offset: 0, value: 1 } }] as unknown as ReadonlyArray<Redis.BitfieldGet>))
      // Nothing was written by the refused calls.
      assert.deepStrictEqual(yield* Redis.bitfieldRo(key, [{ get: { type: "u8", offset: 0 } }]), [0])
    }).pipe(Effect.provide(layer)))
})
