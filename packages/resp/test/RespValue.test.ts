import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import { Buffer } from "node:buffer"
import { decodeAll, isRespErrorReply, ProtocolError, RespErrorReply } from "../src/index.ts"

describe("RespErrorReply", () => {
  it("exposes the message and its first word as the code", () => {
    const error = new RespErrorReply("MOVED 3999 127.0.0.1:6381")
    expect(error.message).toBe("MOVED 3999 127.0.0.1:6381")
    expect(error.code).toBe("MOVED")
    expect(new RespErrorReply("").code).toBe("")
    expect(String(error)).toBe("RespErrorReply: MOVED 3999 127.0.0.1:6381")
  })

  it("is not an Error (no stack capture)", () => {
    const error = new RespErrorReply("ERR x")
    expect(error instanceof Error).toBe(false)
    expect("stack" in error).toBe(false)
  })

  it("isRespErrorReply", () => {
    expect(isRespErrorReply(new RespErrorReply("ERR"))).toBe(true)
    expect(isRespErrorReply(new Error("ERR"))).toBe(false)
    expect(isRespErrorReply({ message: "ERR", code: "ERR" })).toBe(false)
    expect(isRespErrorReply(null)).toBe(false)
  })
})

describe("ProtocolError", () => {
  it("is a tagged error with reason, offset and a readable message", () => {
    const error = new ProtocolError({ reason: "nesting deeper than 128", offset: 512 })
    expect(error._tag).toBe("ProtocolError")
    expect(error).toBeInstanceOf(Error)
    expect(error.reason).toBe("nesting deeper than 128")
    expect(error.offset).toBe(512)
    expect(error.message).toBe("Invalid RESP data at byte 512: nesting deeper than 128")
  })
})

describe("decodeAll", () => {
  it("returns replies, pushes and attributes in order", () => {
    expect(decodeAll(Buffer.from("+OK\r\n>2\r\n+message\r\n:1\r\n|1\r\n+a\r\n:2\r\n:3\r\n"))).toEqual(
      Result.succeed([
        { _tag: "Reply", value: "OK" },
        { _tag: "Push", value: ["message", 1] },
        { _tag: "Attribute", value: new Map([["a", 2]]) },
        { _tag: "Reply", value: 3 }
      ])
    )
    expect(decodeAll(new Uint8Array(0))).toEqual(Result.succeed([]))
  })

  it("applies bulkAsBuffer and the limits", () => {
    expect(decodeAll(Buffer.from("$2\r\nab\r\n"), { bulkAsBuffer: true })).toEqual(Result.succeed([{ _tag: "Reply", value: Buffer.from("ab") }]))
    const tooLong = decodeAll(Buffer.from("$2\r\nab\r\n"), { maxBulkLength: 1 })
    expect(Result.isFailure(tooLong) && tooLong.failure.reason).toBe("bulk length 2 exceeds maxBulkLength 1")
  })

  it("fails on invalid input and on input that ends inside a reply", () => {
    const invalid = decodeAll(Buffer.from("+OK\r\n@"))
    expect(Result.isFailure(invalid) && [invalid.failure.reason, invalid.failure.offset]).toEqual(["unknown type byte 0x40 '@'", 5])
    const truncated = decodeAll(Buffer.from("*2\r\n:1\r\n"))
    expect(Result.isFailure(truncated) && [truncated.failure.reason, truncated.failure.offset]).toEqual(["input ended inside a reply", 8])
  })
})
