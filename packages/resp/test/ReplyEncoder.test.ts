import { describe, expect, it } from "@effect/vitest"
import { Buffer } from "node:buffer"
import { encodeAttribute, encodePush, encodeReply, RespErrorReply, type RespValue } from "../src/index.ts"

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1")

describe("encodeReply", () => {
  it("RESP3 uses the native types", () => {
    const value: RespValue = [
      "ok",
      "",
      null,
      true,
      false,
      12,
      -0,
      1.5,
      Infinity,
      -Infinity,
      Number.NaN,
      2 ** 60,
      10n,
      Buffer.from([0xff]),
      new RespErrorReply("ERR bad"),
      new RespErrorReply("ERR multi\r\nline"),
      new Map([["k", 1]]),
      new Set(["a"])
    ]
    expect(text(encodeReply(value, 3))).toBe(
      "*18\r\n$2\r\nok\r\n$0\r\n\r\n_\r\n#t\r\n#f\r\n:12\r\n:0\r\n,1.5\r\n,inf\r\n,-inf\r\n,nan\r\n,1152921504606847000\r\n(10\r\n" +
        "$1\r\n\xff\r\n-ERR bad\r\n!15\r\nERR multi\r\nline\r\n%1\r\n$1\r\nk\r\n:1\r\n~1\r\n$1\r\na\r\n"
    )
  })

  it("RESP2 maps its missing types the way Redis does", () => {
    const value: RespValue = [null, true, false, 1.5, Infinity, Number.NaN, 10n, new RespErrorReply("ERR multi\r\nline"), new Map([["k", 1]]), new Set(["a"])]
    expect(text(encodeReply(value, 2))).toBe(
      "*10\r\n$-1\r\n:1\r\n:0\r\n$3\r\n1.5\r\n$3\r\ninf\r\n$3\r\nnan\r\n:10\r\n-ERR multi  line\r\n*2\r\n$1\r\nk\r\n:1\r\n*1\r\n$1\r\na\r\n"
    )
  })

  it("strings are length-prefixed in UTF-8 bytes", () => {
    expect(Buffer.from(encodeReply("é✓", 3)).toString("utf8")).toBe("$5\r\né✓\r\n")
  })
})

describe("encodePush and encodeAttribute", () => {
  it("push frames: '>' in RESP3, a plain array in RESP2", () => {
    expect(text(encodePush(["message", "ch", "hi"]))).toBe(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n")
    expect(text(encodePush(["message", "ch", "hi"], 2))).toBe("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n")
  })

  it("attribute frames", () => {
    expect(text(encodeAttribute(new Map([["ttl", 3]])))).toBe("|1\r\n$3\r\nttl\r\n:3\r\n")
  })
})
