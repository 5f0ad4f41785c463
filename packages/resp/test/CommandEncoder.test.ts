import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as fc from "fast-check"
import { Buffer } from "node:buffer"
import { CommandEncoder, decodeAll, encodeCommand, type RespArg } from "../src/index.ts"

/** Joins what `take` returned into the bytes a socket would send. */
const toBytes = (chunks: ReadonlyArray<string | Uint8Array>): Buffer =>
  Buffer.concat(chunks.map((chunk) => (typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk)))

/** Decodes commands as a server would see them: RESP2 arrays of bulk strings, as bytes. */
const decodeCommands = (bytes: Uint8Array): Array<Array<Buffer>> => {
  const decoded = decodeAll(bytes, { bulkAsBuffer: true })
  if (Result.isFailure(decoded)) throw decoded.failure
  return decoded.success.map((frame) => frame.value as Array<Buffer>)
}

/** The bytes an argument must arrive as. */
const expectedBytes = (arg: RespArg): Buffer => {
  if (typeof arg === "string") return Buffer.from(arg, "utf8")
  if (arg instanceof Uint8Array) return Buffer.from(arg)
  if (arg === Infinity) return Buffer.from("+inf")
  if (arg === -Infinity) return Buffer.from("-inf")
  if (typeof arg === "number" && Number.isInteger(arg)) return Buffer.from(BigInt(arg).toString())
  return Buffer.from(String(arg))
}

const arg: fc.Arbitrary<RespArg> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ unit: "grapheme-ascii", maxLength: 10 }),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true }),
  fc.bigInt(),
  fc.uint8Array({ maxLength: 30 }),
  fc.uint8Array({ maxLength: 30 }).map((u) => Buffer.from(u))
)
const command = fc.tuple(fc.constantFrom("GET", "SET", "HSET", "ZADD"), fc.array(arg, { maxLength: 8 })).map(([name, rest]) => [name, ...rest])

describe("CommandEncoder", () => {
  it("encodes a command as a RESP array of bulk strings", () => {
    const encoder = new CommandEncoder()
    expect(encoder.push(["SET", "key", "välue"])).toBeUndefined()
    expect(encoder.take()).toEqual(["*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$6\r\nvälue\r\n"])
  })

  it("numbers and bigints as decimal text; integers never with an exponent", () => {
    const encoder = new CommandEncoder()
    encoder.push(["X", 0, -0, 42, -7, 1.5, 1e-7, 2 ** 53, 1e21, -1e21, 12345678901234567890n, Infinity, -Infinity])
    const [args] = decodeCommands(toBytes(encoder.take()))
    expect(args!.map((a) => a.toString())).toEqual([
      "X",
      "0",
      "0",
      "42",
      "-7",
      "1.5",
      "1e-7",
      "9007199254740992",
      "1000000000000000000000",
      "-1000000000000000000000",
      "12345678901234567890",
      "+inf",
      "-inf"
    ])
  })

  it("string-only commands accumulate into one string chunk", () => {
    const encoder = new CommandEncoder()
    encoder.push(["GET", "a"])
    encoder.push(["GET", "b"])
    encoder.push(["INCRBY", "c", 5])
    const chunks = encoder.take()
    expect(chunks).toHaveLength(1)
    expect(typeof chunks[0]).toBe("string")
  })

  it("a Uint8Array argument becomes its own chunk, not copied", () => {
    const encoder = new CommandEncoder()
    const big = Buffer.alloc(100_000, 1)
    encoder.push(["GET", "a"])
    encoder.push(["SET", "k", big, "EX", 10])
    encoder.push(["GET", "b"])
    const chunks = encoder.take()
    expect(chunks).toEqual(["*2\r\n$3\r\nGET\r\n$1\r\na\r\n*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n", big, "\r\n$2\r\nEX\r\n$2\r\n10\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n"])
    expect(chunks[1]).toBe(big)
  })

  it("an empty Uint8Array is inlined", () => {
    const encoder = new CommandEncoder()
    encoder.push(["SET", "k", new Uint8Array(0)])
    expect(encoder.take()).toEqual(["*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"])
  })

  it("isEmpty and pendingBytes track what is buffered; take resets", () => {
    const encoder = new CommandEncoder()
    expect(encoder.isEmpty).toBe(true)
    expect(encoder.pendingBytes).toBe(0)
    expect(encoder.take()).toEqual([])
    encoder.push(["SET", "ключ", Buffer.from([1, 2, 3]), 12])
    expect(encoder.isEmpty).toBe(false)
    const chunks = encoder.take()
    expect(toBytes(chunks).length).toBe(4 + 9 + 14 + 9 + 8)
    expect(encoder.isEmpty).toBe(true)
    expect(encoder.pendingBytes).toBe(0)
  })

  it("rejects invalid arguments, naming the type, and appends nothing", () => {
    const encoder = new CommandEncoder()
    encoder.push(["PING"])
    const before = encoder.pendingBytes
    const cases: ReadonlyArray<readonly [ReadonlyArray<unknown>, number, string]> = [
      [["SET", "k", undefined], 2, "undefined is not a valid argument (expected string, number, bigint or Uint8Array)"],
      [["SET", null, "v"], 1, "null is not a valid argument (expected string, number, bigint or Uint8Array)"],
      [["SET", "k", true], 2, "boolean is not a valid argument (expected string, number, bigint or Uint8Array)"],
      [["SET", "k", { a: 1 }], 2, "an object is not a valid argument (expected string, number, bigint or Uint8Array)"],
      [["SET", "k", new Date(0)], 2, "an object (Date) is not a valid argument (expected string, number, bigint or Uint8Array)"],
      [["SET", "k", ["nested"]], 2, "an object (Array) is not a valid argument (expected string, number, bigint or Uint8Array)"],
      [["SET", "k", Symbol("s")], 2, "symbol is not a valid argument (expected string, number, bigint or Uint8Array)"],
      [["INCRBYFLOAT", "k", Number.NaN], 2, "NaN is not a valid argument"],
      [[], 0, "empty command: args[0] must be the command name"]
    ]
    for (const [args, index, reason] of cases) {
      expect(encoder.push(args as ReadonlyArray<RespArg>)).toEqual({ index, reason })
      expect(encoder.pendingBytes).toBe(before)
    }
    expect(encoder.take()).toEqual(["*1\r\n$4\r\nPING\r\n"])
  })

  it("rejects arguments longer than maxBulkLength", () => {
    const encoder = new CommandEncoder({ maxBulkLength: 4 })
    expect(encoder.push(["SET", "k", "12345"])).toEqual({ index: 2, reason: "argument of 5 bytes exceeds maxBulkLength 4" })
    expect(encoder.push(["SET", "k", "ééé"])).toEqual({ index: 2, reason: "argument of 6 bytes exceeds maxBulkLength 4" })
    expect(encoder.push(["SET", "k", Buffer.alloc(5)])).toEqual({ index: 2, reason: "argument of 5 bytes exceeds maxBulkLength 4" })
    expect(encoder.push(["SET", "k", 123456789n])).toEqual({ index: 2, reason: "argument of 9 bytes exceeds maxBulkLength 4" })
    expect(encoder.isEmpty).toBe(true)
    expect(encoder.push(["SET", "k", "1234"])).toBeUndefined()
    expect(() => new CommandEncoder({ maxBulkLength: -1 })).toThrow(RangeError)
  })

  it("encodeCommand returns the bytes or the invalid argument", () => {
    const ok = encodeCommand(["SET", "k", Buffer.from([0xff]), 1])
    expect(Result.isSuccess(ok) && Buffer.from(ok.success).toString("latin1")).toBe("*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n\xff\r\n$1\r\n1\r\n")
    expect(encodeCommand(["SET", "k", undefined as unknown as string])).toEqual(Result.fail({ index: 2, reason: expect.any(String) }))
    expect(Result.isFailure(encodeCommand(["SET", "k", "toolong"], { maxBulkLength: 3 }))).toBe(true)
  })

  it("property: commands encode then decode back to their arguments' bytes, numbers to their values", () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 6 }), (commands) => {
        const encoder = new CommandEncoder()
        let expectedLength = 0
        for (const args of commands) {
          expect(encoder.push(args)).toBeUndefined()
          expectedLength += Result.getOrThrow(encodeCommand(args)).length
        }
        expect(encoder.pendingBytes).toBe(expectedLength)
        const chunks = encoder.take()
        // Strings never follow strings: consecutive string parts are merged.
        for (let i = 1; i < chunks.length; i++) expect(typeof chunks[i] === "string" && typeof chunks[i - 1] === "string").toBe(false)
        const decoded = decodeCommands(toBytes(chunks))
        expect(decoded).toEqual(commands.map((args) => args.map(expectedBytes)))
        commands.forEach((args, i) =>
          args.forEach((arg, j) => {
            if (typeof arg === "number") expect(Number(decoded[i]![j]!.toString().replace("inf", "Infinity"))).toBe(arg === 0 ? 0 : arg)
            if (typeof arg === "bigint") expect(BigInt(decoded[i]![j]!.toString())).toBe(arg)
          })
        )
      }),
      { numRuns: 500 }
    )
  })

  it("property: a command with an invalid argument anywhere appends nothing", () => {
    const invalidArg = fc.constantFrom<unknown>(undefined, null, true, false, Number.NaN, {}, [], Symbol("x"), () => 1, new Map())
    fc.assert(
      fc.property(command, invalidArg, fc.nat(), command, (valid, bad, position, other) => {
        const encoder = new CommandEncoder()
        encoder.push(other)
        const before = encoder.pendingBytes
        const args: Array<unknown> = [...valid]
        const index = 1 + (position % args.length)
        args.splice(index, 0, bad)
        expect(encoder.push(args as Array<RespArg>)).toEqual({ index, reason: expect.any(String) })
        expect(encoder.pendingBytes).toBe(before)
        expect(decodeCommands(toBytes(encoder.take()))).toEqual([other.map(expectedBytes)])
      }),
      { numRuns: 500 }
    )
  })
})
