import { describe, expect, it } from "@effect/vitest"
import { Buffer } from "node:buffer"
import { ProtocolError, RespDecoder, RespErrorReply, type RespValue } from "../src/index.ts"
import { bytes, decodeEveryWay, decodeInChunksOf, decodeSplit, type Event, recordingDecoder, replies } from "./support/decodeChunks.ts"

const sameEvents = (actual: ReadonlyArray<Event>, expected: ReadonlyArray<Event>, how: string) =>
  expect(actual, how).toEqual(expected)

/** Decodes `input` every way (whole, byte by byte, every single cut) and returns its replies. */
const decode = (input: string | Uint8Array, options?: { readonly bulkAsBuffer?: boolean }): Array<RespValue> =>
  replies(decodeEveryWay(typeof input === "string" ? bytes(input) : input, sameEvents, options))

/** Decodes `input` every way and returns the single error event it must produce. */
const decodeError = (input: string, options?: ConstructorParameters<typeof RespDecoder>[1]) => {
  const events = decodeEveryWay(bytes(input), sameEvents, options)
  const errors = events.filter((event) => event._tag === "Error")
  expect(errors).toHaveLength(1)
  expect(events[events.length - 1]!._tag).toBe("Error")
  return errors[0] as Extract<Event, { _tag: "Error" }>
}

describe("RespDecoder: RESP2 types", () => {
  it("simple strings", () => {
    expect(decode("+OK\r\n+\r\n+hello world\r\n")).toEqual(["OK", "", "hello world"])
  })

  it("simple strings are UTF-8", () => {
    expect(decode(Buffer.from("+héllo ✓\r\n", "utf8"))).toEqual(["héllo ✓"])
  })

  it("simple errors become RespErrorReply with a code", () => {
    const [error] = decode("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
    expect(error).toBeInstanceOf(RespErrorReply)
    expect((error as RespErrorReply).message).toBe("WRONGTYPE Operation against a key holding the wrong kind of value")
    expect((error as RespErrorReply).code).toBe("WRONGTYPE")
    const [moved] = decode("-MOVED 3999 127.0.0.1:6381\r\n")
    expect((moved as RespErrorReply).code).toBe("MOVED")
    const [bare] = decode("-ERR\r\n")
    expect((bare as RespErrorReply).code).toBe("ERR")
  })

  it("integers", () => {
    expect(decode(":0\r\n:12\r\n:-12\r\n:+7\r\n:-0\r\n")).toEqual([0, 12, -12, 7, 0])
    expect(Object.is(decode(":-0\r\n")[0], 0)).toBe(true)
  })

  it("integers at and beyond the safe range", () => {
    expect(decode(`:${Number.MAX_SAFE_INTEGER}\r\n:${Number.MIN_SAFE_INTEGER}\r\n`)).toEqual([
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER
    ])
    expect(decode(":9007199254740992\r\n:-9007199254740993\r\n:9223372036854775807\r\n")).toEqual([
      9007199254740992n,
      -9007199254740993n,
      9223372036854775807n
    ])
    // Sixteen and more digits with leading zeros or a small value are still numbers.
    expect(decode(":0000000000000000001\r\n:1234567890123456\r\n")).toEqual([1, 1234567890123456])
    expect(decode(":123456789012345678901234567890\r\n")).toEqual([123456789012345678901234567890n])
  })

  it("bulk strings, including empty, null, CRLF inside and UTF-8", () => {
    expect(decode("$3\r\nfoo\r\n$0\r\n\r\n$-1\r\n$4\r\na\r\nb\r\n")).toEqual(["foo", "", null, "a\r\nb"])
    expect(decode(Buffer.from(`$${Buffer.byteLength("ünïcødé ✓")}\r\nünïcødé ✓\r\n`, "utf8"))).toEqual(["ünïcødé ✓"])
  })

  it("invalid UTF-8 in a text bulk string becomes U+FFFD, whatever the chunking", () => {
    const payload = Buffer.from([0x61, 0xff, 0xe2, 0x82, 0x62, 0xf0, 0x9f, 0x98, 0x80, 0xc3])
    const input = Buffer.concat([bytes(`$${payload.length}\r\n`), payload, bytes("\r\n")])
    expect(decode(input)).toEqual([payload.toString("utf8")])
  })

  it("binary bulk strings with bulkAsBuffer", () => {
    const payload = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x80, 0xc3, 0x28, 0x0d])
    const input = Buffer.concat([bytes(`$${payload.length}\r\n`), payload, bytes("\r\n$0\r\n\r\n$-1\r\n")])
    const [value, empty, nil] = decode(input, { bulkAsBuffer: true })
    expect(value).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(value as Uint8Array).equals(payload)).toBe(true)
    expect(empty).toEqual(Buffer.alloc(0))
    expect(nil).toBe(null)
  })

  it("arrays: empty, null, nested, with nulls and errors inside (EXEC replies)", () => {
    expect(decode("*0\r\n*-1\r\n")).toEqual([[], null])
    expect(decode("*3\r\n:1\r\n*2\r\n$1\r\na\r\n*0\r\n$-1\r\n")).toEqual([[1, ["a", []], null]])
    const [exec] = decode("*3\r\n+OK\r\n-WRONGTYPE nope\r\n:5\r\n")
    expect(exec).toEqual(["OK", new RespErrorReply("WRONGTYPE nope"), 5])
    expect((exec as ReadonlyArray<RespValue>)[1]).toBeInstanceOf(RespErrorReply)
  })

  it("several replies in one chunk, in order", () => {
    expect(decode("+a\r\n:1\r\n$1\r\nb\r\n*1\r\n+c\r\n-ERR d\r\n")).toEqual(["a", 1, "b", ["c"], new RespErrorReply("ERR d")])
  })
})

describe("RespDecoder: RESP3 types", () => {
  it("null", () => {
    expect(decode("_\r\n")).toEqual([null])
  })

  it("booleans", () => {
    expect(decode("#t\r\n#f\r\n")).toEqual([true, false])
  })

  it("doubles, including exponents, inf, -inf and nan", () => {
    const values = decode(",1.5\r\n,-0.25\r\n,10\r\n,1e10\r\n,1.5E-3\r\n,-2.5e+2\r\n,.5\r\n,inf\r\n,-inf\r\n,nan\r\n,+inf\r\n")
    expect(values).toEqual([1.5, -0.25, 10, 1e10, 1.5e-3, -250, 0.5, Infinity, -Infinity, NaN, Infinity])
  })

  it("big numbers are bigints, even small ones", () => {
    expect(decode("(3492890328409238509324850943850943825024385\r\n(-12\r\n(0\r\n")).toEqual([
      3492890328409238509324850943850943825024385n,
      -12n,
      0n
    ])
  })

  it("bulk errors", () => {
    const [error] = decode("!21\r\nSYNTAX invalid syntax\r\n")
    expect(error).toBeInstanceOf(RespErrorReply)
    expect((error as RespErrorReply).code).toBe("SYNTAX")
    expect((error as RespErrorReply).message).toBe("SYNTAX invalid syntax")
  })

  it("bulk errors stay text with bulkAsBuffer", () => {
    expect(decode("!3\r\nERR\r\n", { bulkAsBuffer: true })).toEqual([new RespErrorReply("ERR")])
  })

  it("verbatim strings drop their format prefix", () => {
    expect(decode("=15\r\ntxt:Some string\r\n=4\r\nmkd:\r\n")).toEqual(["Some string", ""])
    const [buffer] = decode("=7\r\ntxt:abc\r\n", { bulkAsBuffer: true })
    expect(buffer).toEqual(Buffer.from("abc"))
  })

  it("maps keep insertion order and may nest", () => {
    const [map] = decode("%3\r\n+first\r\n:1\r\n+second\r\n*2\r\n:2\r\n:3\r\n+third\r\n%1\r\n+x\r\n#t\r\n")
    expect(map).toBeInstanceOf(Map)
    expect([...(map as Map<RespValue, RespValue>).keys()]).toEqual(["first", "second", "third"])
    expect(map).toEqual(new Map<RespValue, RespValue>([["first", 1], ["second", [2, 3]], ["third", new Map([["x", true]])]]))
    expect(decode("%0\r\n")).toEqual([new Map()])
  })

  it("sets", () => {
    expect(decode("~3\r\n+a\r\n:1\r\n#f\r\n~0\r\n")).toEqual([new Set(["a", 1, false]), new Set()])
  })

  it("pushes interleaved with replies go to onPush, in stream order", () => {
    const input = bytes(">3\r\n+message\r\n+chan\r\n$2\r\nhi\r\n+OK\r\n>2\r\n+invalidate\r\n*1\r\n$1\r\nk\r\n:3\r\n")
    const events = decodeEveryWay(input, sameEvents)
    expect(events).toEqual([
      { _tag: "Push", value: ["message", "chan", "hi"] },
      { _tag: "Reply", value: "OK" },
      { _tag: "Push", value: ["invalidate", ["k"]] },
      { _tag: "Reply", value: 3 }
    ])
  })

  it("attributes go to onAttribute and the annotated reply is still delivered", () => {
    const input = bytes("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2\r\n:3\r\n")
    expect(decodeEveryWay(input, sameEvents)).toEqual([
      { _tag: "Attribute", value: new Map([["key-popularity", new Map([["a", 0.19]])]]) },
      { _tag: "Reply", value: [2, 3] }
    ])
  })

  it("an attribute nested in an aggregate does not count as an element", () => {
    const input = bytes("*2\r\n:1\r\n|1\r\n+ttl\r\n:100\r\n:2\r\n|0\r\n+x\r\n")
    expect(decodeEveryWay(input, sameEvents)).toEqual([
      { _tag: "Attribute", value: new Map([["ttl", 100]]) },
      { _tag: "Reply", value: [1, 2] },
      { _tag: "Attribute", value: new Map() },
      { _tag: "Reply", value: "x" }
    ])
  })

  it("attributes are dropped silently without an onAttribute handler", () => {
    const got: Array<RespValue> = []
    const decoder = new RespDecoder({ onReply: (v) => got.push(v), onPush: () => {}, onError: () => {} })
    decoder.feed(bytes("|1\r\n+a\r\n+b\r\n+OK\r\n"))
    expect(got).toEqual(["OK"])
  })

  it("a push nested in an aggregate is an array", () => {
    expect(decode("*1\r\n>1\r\n+x\r\n")).toEqual([[["x"]]])
  })
})

describe("RespDecoder: bulkAsBuffer", () => {
  it("switched inside onReply applies to the next reply only", () => {
    const got: Array<RespValue> = []
    const decoder: RespDecoder = new RespDecoder({
      onReply: (value) => {
        got.push(value)
        decoder.bulkAsBuffer = !decoder.bulkAsBuffer
      },
      onPush: () => {},
      onError: (error) => {
        throw error
      }
    })
    decoder.feed(bytes("$1\r\na\r\n*2\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n=5\r\ntxt:e\r\n"))
    expect(got).toEqual(["a", [Buffer.from("b"), Buffer.from("c")], "d", Buffer.from("e")])
  })

  it("a change between the feeds of a split reply does not affect that reply", () => {
    const { decoder, events } = recordingDecoder()
    decoder.feed(bytes("*2\r\n$1\r\na\r\n$1"))
    decoder.bulkAsBuffer = true
    decoder.feed(bytes("\r\nb\r\n$1\r\nc"))
    decoder.feed(bytes("\r\n"))
    expect(replies(events)).toEqual([["a", "b"], Buffer.from("c")])
  })

  it("also when the split reply is a single bulk string", () => {
    const { decoder, events } = recordingDecoder()
    decoder.feed(bytes("$5\r\nab"))
    decoder.bulkAsBuffer = true
    decoder.feed(bytes("cde\r\n$1\r\nf\r\n"))
    expect(replies(events)).toEqual(["abcde", Buffer.from("f")])
  })

  it("small values are copies, not views that pin the chunk", () => {
    const chunk = bytes("$3\r\nabc\r\n" + "+padding\r\n".repeat(100))
    const { decoder, events } = recordingDecoder({ bulkAsBuffer: true })
    decoder.feed(chunk)
    const value = replies(events)[0] as Buffer
    expect(value.buffer === chunk.buffer && value.byteOffset === chunk.byteOffset + 4).toBe(false)
    expect(value).toEqual(Buffer.from("abc"))
  })
})

describe("RespDecoder: malformed input", () => {
  it("unknown type byte", () => {
    expect(decodeError("+OK\r\nA\r\n")).toEqual({ _tag: "Error", reason: "unknown type byte 0x41 'A'", offset: 5 })
    expect(decodeError("\x00").reason).toBe("unknown type byte 0x00")
  })

  it("non-digit in a length", () => {
    expect(decodeError("$1x\r\na\r\n")).toMatchObject({ offset: 2 })
    expect(decodeError("*+1\r\n")).toMatchObject({ offset: 1 })
    expect(decodeError("$\r\n")).toMatchObject({ reason: "length without digits", offset: 1 })
    expect(decodeError("*1 \r\n")).toMatchObject({ offset: 2 })
  })

  it("non-digit in an integer", () => {
    expect(decodeError(":12a\r\n")).toMatchObject({ offset: 3 })
    expect(decodeError(":\r\n")).toMatchObject({ reason: "integer without digits" })
    expect(decodeError(":-\r\n")).toMatchObject({ reason: "integer without digits" })
    expect(decodeError(":1.5\r\n")).toMatchObject({ offset: 2 })
  })

  it("CR not followed by LF", () => {
    expect(decodeError("+OK\rX")).toMatchObject({ offset: 4 })
    expect(decodeError("$1\r\r")).toMatchObject({ offset: 3 })
  })

  it("bad CRLF after a bulk payload", () => {
    expect(decodeError("$3\r\nfooX\r\n")).toEqual({ _tag: "Error", reason: "bulk payload of 3 bytes not followed by CRLF", offset: 7 })
    expect(decodeError("$3\r\nfoo\rX")).toMatchObject({ offset: 8 })
    expect(decodeError("$3\r\nfoobar\r\n")).toMatchObject({ offset: 7 })
  })

  it("the same for a large bulk payload arriving in pieces", () => {
    const payload = "x".repeat(5000)
    expect(decodeInChunksOf(bytes(`$5000\r\n${payload}XY`), 1000).events).toEqual([
      { _tag: "Error", reason: "bulk payload of 5000 bytes not followed by CRLF", offset: 5007 }
    ])
    expect(decodeInChunksOf(bytes(`=5000\r\n${payload}\r\n`), 1000).events).toEqual([
      { _tag: "Error", reason: "verbatim string without its 'xxx:' format prefix", offset: 7 }
    ])
  })

  it("negative lengths other than -1, and -1 where there is no null form", () => {
    expect(decodeError("$-2\r\n")).toMatchObject({ reason: "negative length -2" })
    expect(decodeError("*-5\r\n")).toMatchObject({ reason: "negative length -5" })
    expect(decodeError("$-0\r\n")).toMatchObject({ reason: "negative length -0" })
    expect(decodeError("%-1\r\n")).toMatchObject({ reason: "negative length -1 for a aggregate" })
    expect(decodeError("=-1\r\n")).toMatchObject({ reason: "negative length -1 for a verbatim string" })
    expect(decodeError("!-1\r\n")).toMatchObject({ reason: "negative length -1 for a bulk error" })
  })

  it("bad booleans, nulls, doubles and big numbers", () => {
    expect(decodeError("#x\r\n").reason).toBe('invalid boolean: "x"')
    expect(decodeError("#tt\r\n").reason).toBe('invalid boolean: "tt"')
    expect(decodeError("#\r\n").reason).toBe('invalid boolean: ""')
    expect(decodeError("_x\r\n").reason).toBe('invalid null: "x"')
    expect(decodeError(",1.2.3\r\n").reason).toBe('invalid double: "1.2.3"')
    expect(decodeError(",\r\n").reason).toBe('invalid double: ""')
    expect(decodeError(",Infinity\r\n").reason).toBe('invalid double: "Infinity"')
    expect(decodeError(",0x10\r\n").reason).toBe('invalid double: "0x10"')
    expect(decodeError("(12a\r\n").reason).toBe('invalid big number: "12a"')
    expect(decodeError("(\r\n").reason).toBe('invalid big number: ""')
    expect(decodeError("( 1\r\n").reason).toBe('invalid big number: " 1"')
  })

  it("verbatim strings without a format prefix", () => {
    expect(decodeError("=3\r\nabc\r\n").reason).toBe("verbatim string without its 'xxx:' format prefix")
    expect(decodeError("=5\r\nabcde\r\n").reason).toBe("verbatim string without its 'xxx:' format prefix")
  })

  it("garbage after a valid reply: the reply is delivered, then the error", () => {
    expect(decodeEveryWay(bytes("+OK\r\n?"), sameEvents)).toEqual([
      { _tag: "Reply", value: "OK" },
      { _tag: "Error", reason: "unknown type byte 0x3f '?'", offset: 5 }
    ])
  })
})

describe("RespDecoder: limits", () => {
  it("maxBulkLength is checked before the payload is read", () => {
    expect(decodeError("$9999999999\r\n")).toEqual({
      _tag: "Error",
      reason: "bulk length 9999999999 exceeds maxBulkLength 536870912",
      offset: 0
    })
    expect(decodeError("$11\r\n", { maxBulkLength: 10 }).reason).toBe("bulk length 11 exceeds maxBulkLength 10")
    expect(decodeError("!11\r\n", { maxBulkLength: 10 }).reason).toBe("bulk length 11 exceeds maxBulkLength 10")
    expect(decodeError("=11\r\n", { maxBulkLength: 10 }).reason).toBe("bulk length 11 exceeds maxBulkLength 10")
    expect(replies(decodeSplit(bytes("$10\r\n0123456789\r\n"), [], { maxBulkLength: 10 }).events)).toEqual(["0123456789"])
  })

  it("maxAggregateLength", () => {
    expect(decodeError("*4294967296\r\n").reason).toBe("aggregate length 4294967296 exceeds maxAggregateLength 2147483647")
    expect(decodeError("%3\r\n", { maxAggregateLength: 2 }).reason).toBe("aggregate length 3 exceeds maxAggregateLength 2")
  })

  it("maxDepth: 128 levels by default", () => {
    const nested = (levels: number) => "*1\r\n".repeat(levels - 1) + "*0\r\n"
    const { events } = decodeSplit(bytes(nested(128)), [])
    expect(events).toHaveLength(1)
    expect(events[0]!._tag).toBe("Reply")
    expect(decodeSplit(bytes(nested(129)), []).events).toEqual([
      { _tag: "Error", reason: "nesting deeper than 128", offset: 128 * 4 }
    ])
    expect(decodeError("*1\r\n*1\r\n*1\r\n", { maxDepth: 2 }).reason).toBe("nesting deeper than 2")
    expect(decodeError("%1\r\n~1\r\n>1\r\n", { maxDepth: 2 }).reason).toBe("nesting deeper than 2")
  })

  it("maxLineLength, whether the line is complete or still arriving", () => {
    const options = { maxLineLength: 8 }
    expect(replies(decodeSplit(bytes("+12345678\r\n"), [], options).events)).toEqual(["12345678"])
    expect(decodeError("+123456789\r\n", options)).toEqual({ _tag: "Error", reason: "line longer than maxLineLength 8 bytes", offset: 0 })
    expect(decodeError(":1\r\n+1234567890", options).offset).toBe(4)
    for (const input of ["-0123456789", ":0123456789", "$0000000000", "*0000000000", ",1234567890", "(1234567890"]) {
      const { events } = decodeInChunksOf(bytes(input), 1, options)
      expect(events, input).toEqual([{ _tag: "Error", reason: "line longer than maxLineLength 8 bytes", offset: 0 }])
    }
  })

  it("a line without CRLF is rejected once it passes 1 MiB, in one read or many", () => {
    const line = bytes("+" + "a".repeat(1024 * 1024 + 1))
    expect(decodeSplit(line, []).events).toEqual([
      { _tag: "Error", reason: "line longer than maxLineLength 1048576 bytes", offset: 0 }
    ])
    expect(decodeInChunksOf(line, 4096).events).toEqual([
      { _tag: "Error", reason: "line longer than maxLineLength 1048576 bytes", offset: 0 }
    ])
  })

  it("a garbage line arriving one byte at a time is rejected in linear time", () => {
    for (const type of ["$", "+", ":"]) {
      const { decoder, events } = recordingDecoder()
      decoder.feed(bytes(type))
      const one = bytes("1")
      for (let i = 0; i < 1024 * 1024 + 10 && !decoder.failed; i++) decoder.feed(one)
      expect(events).toEqual([{ _tag: "Error", reason: "line longer than maxLineLength 1048576 bytes", offset: 0 }])
    }
  })

  it("rejects invalid options", () => {
    const handlers = { onReply: () => {}, onPush: () => {}, onError: () => {} }
    expect(() => new RespDecoder(handlers, { maxDepth: 0 })).toThrow(RangeError)
    expect(() => new RespDecoder(handlers, { maxBulkLength: 1.5 })).toThrow(RangeError)
    expect(() => new RespDecoder(handlers, { maxLineLength: Number.NaN })).toThrow(RangeError)
  })
})

describe("RespDecoder: lifecycle", () => {
  it("onError is called once, then feed does nothing", () => {
    const { decoder, events, errors } = recordingDecoder()
    decoder.feed(bytes("+a\r\nX+b\r\n"))
    decoder.feed(bytes("+c\r\n"))
    expect(events.map((e) => e._tag)).toEqual(["Reply", "Error"])
    expect(decoder.failed).toBe(true)
    expect(errors[0]).toBeInstanceOf(ProtocolError)
    expect(errors[0]!._tag).toBe("ProtocolError")
    expect(errors[0]!.message).toBe("Invalid RESP data at byte 4: unknown type byte 0x58 'X'")
  })

  it("reset forgets partial state and a failure; offsets restart at 0", () => {
    const { decoder, events } = recordingDecoder()
    decoder.feed(bytes("*2\r\n$5\r\nab"))
    expect(decoder.hasPartialReply).toBe(true)
    decoder.reset()
    expect(decoder.hasPartialReply).toBe(false)
    decoder.feed(bytes("+fresh\r\n"))
    decoder.feed(bytes("?"))
    expect(decoder.failed).toBe(true)
    decoder.reset()
    expect(decoder.failed).toBe(false)
    decoder.feed(bytes(":1\r\n?"))
    expect(events).toEqual([
      { _tag: "Reply", value: "fresh" },
      { _tag: "Error", reason: "unknown type byte 0x3f '?'", offset: 8 },
      { _tag: "Reply", value: 1 },
      { _tag: "Error", reason: "unknown type byte 0x3f '?'", offset: 4 }
    ])
  })

  it("hasPartialReply tracks open aggregates and buffered bytes", () => {
    const { decoder } = recordingDecoder()
    expect(decoder.hasPartialReply).toBe(false)
    decoder.feed(bytes("*2\r\n:1\r\n"))
    expect(decoder.hasPartialReply).toBe(true)
    decoder.feed(bytes(":2\r\n"))
    expect(decoder.hasPartialReply).toBe(false)
    decoder.feed(bytes("+O"))
    expect(decoder.hasPartialReply).toBe(true)
  })

  it("reset from inside a handler drops the rest of the chunk", () => {
    const got: Array<RespValue> = []
    const decoder: RespDecoder = new RespDecoder({
      onReply: (value) => {
        got.push(value)
        if (value === "reset") decoder.reset()
      },
      onPush: () => {},
      onError: (error) => {
        throw error
      }
    })
    decoder.feed(bytes("+a\r\n+reset\r\n+dropped\r\n*2\r\n"))
    decoder.feed(bytes("+b\r\n"))
    expect(got).toEqual(["a", "reset", "b"])
  })

  it("feed from inside a handler is queued after the current chunk", () => {
    const got: Array<RespValue> = []
    const decoder: RespDecoder = new RespDecoder({
      onReply: (value) => {
        got.push(value)
        if (value === "a") decoder.feed(bytes("+queued\r\n"))
      },
      onPush: () => {},
      onError: (error) => {
        throw error
      }
    })
    decoder.feed(bytes("+a\r\n+b\r\n"))
    expect(got).toEqual(["a", "b", "queued"])
  })

  it("a handler that throws propagates, and decoding resumes after the reply it was given", () => {
    const got: Array<RespValue> = []
    const decoder = new RespDecoder({
      onReply: (value) => {
        got.push(value)
        if (value === "boom") throw new Error("handler failed")
      },
      onPush: () => {},
      onError: (error) => {
        throw error
      }
    })
    expect(() => decoder.feed(bytes("+a\r\n+boom\r\n*2\r\n+b\r\n"))).toThrow("handler failed")
    expect(got).toEqual(["a", "boom"])
    decoder.feed(bytes("+c\r\n+d\r\n"))
    expect(got).toEqual(["a", "boom", ["b", "c"], "d"])
    // Also when the throwing reply completed a pending item and more of the same chunk follows.
    expect(() => decoder.feed(bytes("$4\r\nbo"))).not.toThrow()
    expect(() => decoder.feed(bytes("om\r\n+e\r\n+f"))).toThrow("handler failed")
    decoder.feed(bytes("\r\n"))
    expect(got.slice(4)).toEqual(["boom", "e", "f"])
    // Offsets stay right after recovering.
    const errors: Array<ProtocolError> = []
    const counting = new RespDecoder({
      onReply: (value) => {
        if (value === "boom") throw new Error("handler failed")
      },
      onPush: () => {},
      onError: (error) => errors.push(error)
    })
    expect(() => counting.feed(bytes("+boom\r\n+x\r\n"))).toThrow()
    counting.feed(bytes("+y\r\n?"))
    expect(errors.map((e) => e.offset)).toEqual([15])
  })

  it("accepts plain Uint8Arrays, not only Buffers", () => {
    const { decoder, events } = recordingDecoder()
    const chunk = new Uint8Array(new TextEncoder().encode("xx+OK\r\n")).subarray(2)
    decoder.feed(chunk)
    expect(replies(events)).toEqual(["OK"])
  })
})

describe("RespDecoder: partial input", () => {
  it("an array split across many reads is assembled", () => {
    const elements = Array.from({ length: 100 }, (_, i) => `element-${i}`)
    const input = bytes(`*100\r\n${elements.map((e) => `$${e.length}\r\n${e}\r\n`).join("")}`)
    for (const size of [1, 2, 3, 7, 50, 64]) {
      expect(replies(decodeInChunksOf(input, size).events)).toEqual([elements])
    }
  })

  it("a 10,000-element array fed one byte at a time is not re-parsed from its start (would time out)", () => {
    const elements = Array.from({ length: 10_000 }, (_, i) => i % 3 === 0 ? `v${i}` : i)
    const input = bytes(`*10000\r\n${elements.map((e) => (typeof e === "string" ? `$${e.length}\r\n${e}\r\n` : `:${e}\r\n`)).join("")}`)
    const { decoder, events } = recordingDecoder()
    for (let i = 0; i < input.length; i++) decoder.feed(input.subarray(i, i + 1))
    expect(replies(events)).toEqual([elements])
  })

  it("an 8 MiB bulk string fed in 1 KiB chunks, as text and as bytes", () => {
    const size = 8 * 1024 * 1024
    const payload = Buffer.alloc(size)
    for (let i = 0; i < size; i++) payload[i] = 97 + (i % 26)
    const input = Buffer.concat([bytes(`$${size}\r\n`), payload, bytes("\r\n+after\r\n")])
    const asText = replies(decodeInChunksOf(input, 1024).events)
    expect(asText).toHaveLength(2)
    expect((asText[0] as string).length).toBe(size)
    expect(asText[0] === payload.toString("latin1")).toBe(true)
    expect(asText[1]).toBe("after")
    const asBytes = replies(decodeInChunksOf(input, 1024, { bulkAsBuffer: true }).events)
    expect(Buffer.from(asBytes[0] as Uint8Array).equals(payload)).toBe(true)
    expect(asBytes[1]).toBe("after")
  })

  it("a large UTF-8 bulk string split inside multi-byte characters", () => {
    const text = "aé✓😀".repeat(2000)
    const payload = Buffer.from(text, "utf8")
    const input = Buffer.concat([bytes(`$${payload.length}\r\n`), payload, bytes("\r\n")])
    for (const size of [1, 2, 3, 5, 1000, 4095, 4096, 4097]) {
      expect(replies(decodeInChunksOf(input, size).events), `chunks of ${size}`).toEqual([text])
    }
    const verbatim = Buffer.concat([bytes(`=${payload.length + 4}\r\ntxt:`), payload, bytes("\r\n")])
    expect(replies(decodeInChunksOf(verbatim, 7).events)).toEqual([text])
    const error = Buffer.concat([bytes(`!${payload.length}\r\n`), payload, bytes("\r\n")])
    expect(replies(decodeInChunksOf(error, 999).events)).toEqual([new RespErrorReply(text)])
  })
})
