/**
 * The pure parts of the test kit: the admin link's RESP2 reader, the CLUSTER NODES / SLOTS / INFO readers,
 * and slot-range arithmetic. No server needed.
 */
import { assert, describe, it } from "@effect/vitest"
import { encodeCommand, Incomplete, RespErrorReply, type RespReply, RespReplyReader } from "../src/internal/AdminResp.ts"
import { parseClusterNodes, parseInfoFields, slotMapFingerprint } from "../src/internal/ClusterReplies.ts"
import { evenSlotRanges, formatSlotRanges, rangesContain, slotCount, slotsOf, toSlotRanges } from "../src/SlotRange.ts"

describe("RespReplyReader", () => {
  const wire = "+OK\r\n-ASK 3999 127.0.0.1:7001\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n*3\r\n:1\r\n*2\r\n$0\r\n\r\n-ERR inner\r\n$3\r\nb\r\n\r\n"
  const expected: ReadonlyArray<RespReply> = [
    "OK",
    new RespErrorReply("ASK 3999 127.0.0.1:7001"),
    42,
    "hello",
    null,
    null,
    [1, ["", new RespErrorReply("ERR inner")], "b\r\n"]
  ]

  it("reads every reply kind, whatever the chunking", () => {
    const bytes = Buffer.from(wire)
    for (const chunkSize of [1, 2, 3, 7, bytes.length]) {
      const reader = new RespReplyReader()
      const replies: Array<RespReply> = []
      for (let at = 0; at < bytes.length; at += chunkSize) {
        reader.push(bytes.subarray(at, at + chunkSize))
        for (let reply = reader.next("text"); reply !== Incomplete; reply = reader.next("text")) replies.push(reply)
      }
      assert.deepStrictEqual(replies, expected, `chunks of ${chunkSize}`)
    }
  })

  it("returns bulk strings as bytes when asked (binary keys)", () => {
    const reader = new RespReplyReader()
    reader.push(Buffer.from([...Buffer.from("*1\r\n$2\r\n"), 0xff, 0x00, ...Buffer.from("\r\n")]))
    assert.deepStrictEqual(reader.next("bytes"), [Uint8Array.from([0xff, 0x00])])
  })

  it("encodes commands as arrays of bulk strings, counting bytes not characters", () => {
    assert.strictEqual(encodeCommand(["SET", "é", Uint8Array.from([1])]).toString("latin1"), "*3\r\n$3\r\nSET\r\n$2\r\nÃ©\r\n$1\r\n\x01\r\n")
  })
})

describe("cluster replies", () => {
  const nodes = [
    "07c3 127.0.0.1:30004@40004,node-4.test slave e7d1 0 1426238317239 4 connected",
    "67ed 127.0.0.1:30002@40002 master - 0 1426238316232 2 connected 5461-10922",
    "e7d1 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-5460 7000 [5461->-67ed] [16000-<-292f]",
    "292f 127.0.0.1:30003@40003 master,fail? - 1426238316232 0 3 disconnected 10923-16383",
    "6ec2 :0@0 handshake - 0 0 0 disconnected"
  ].join("\n")

  it("parses CLUSTER NODES: roles, slots, migration markers, hostnames, failure flags", () => {
    const [replica, primary, myself, failing, joining] = parseClusterNodes(nodes)
    assert.deepStrictEqual(
      [replica!.role, replica!.primaryId, replica!.hostname, replica!.port, replica!.slots],
      ["replica", "e7d1", "node-4.test", 30004, []]
    )
    assert.deepStrictEqual(primary!.slots, [{ start: 5461, end: 10922 }])
    assert.isTrue(myself!.myself)
    assert.deepStrictEqual(myself!.slots, [{ start: 0, end: 5460 }, { start: 7000, end: 7000 }])
    assert.deepStrictEqual(myself!.migrating, [{ slot: 5461, nodeId: "67ed" }])
    assert.deepStrictEqual(myself!.importing, [{ slot: 16000, nodeId: "292f" }])
    assert.isTrue(failing!.failing)
    assert.isFalse(failing!.connected)
    assert.isTrue(joining!.joining)
  })

  it("parses INFO fields and ignores section headers", () => {
    const fields = parseInfoFields("# Replication\r\nrole:slave\r\nmaster_link_status:up\r\n\r\n")
    assert.strictEqual(fields.get("role"), "slave")
    assert.strictEqual(fields.get("master_link_status"), "up")
    assert.isFalse(fields.has("# Replication"))
  })

  it("fingerprints CLUSTER SLOTS independently of range and replica order", () => {
    const a = [
      [5461, 10922, ["127.0.0.1", 2, "p2"], ["127.0.0.1", 5, "r2"]],
      [0, 5460, ["127.0.0.1", 1, "p1"], ["127.0.0.1", 4, "r1a"], ["127.0.0.1", 6, "r1b"]]
    ]
    const b = [
      [0, 5460, ["127.0.0.1", 1, "p1"], ["127.0.0.1", 6, "r1b"], ["127.0.0.1", 4, "r1a"]],
      [5461, 10922, ["127.0.0.1", 2, "p2"], ["127.0.0.1", 5, "r2"]]
    ]
    assert.strictEqual(slotMapFingerprint(a), slotMapFingerprint(b))
    assert.notStrictEqual(slotMapFingerprint(a), slotMapFingerprint([a[0]!]))
  })
})

describe("slot ranges", () => {
  it("splits slots like redis-cli --cluster create", () => {
    assert.deepStrictEqual(evenSlotRanges(3), [{ start: 0, end: 5460 }, { start: 5461, end: 10922 }, { start: 10923, end: 16383 }])
    assert.deepStrictEqual(evenSlotRanges(1), [{ start: 0, end: slotCount - 1 }])
    for (const parts of [2, 5, 7, 16]) {
      const ranges = evenSlotRanges(parts)
      assert.strictEqual(slotsOf(ranges).length, slotCount)
      assert.deepStrictEqual(toSlotRanges(ranges), [{ start: 0, end: slotCount - 1 }])
    }
  })

  it("merges single slots and ranges", () => {
    const ranges = toSlotRanges([5, { start: 7, end: 9 }, 6, 100, { start: 0, end: 2 }])
    assert.deepStrictEqual(ranges, [{ start: 0, end: 2 }, { start: 5, end: 9 }, { start: 100, end: 100 }])
    assert.isTrue(rangesContain(ranges, 8))
    assert.isFalse(rangesContain(ranges, 3))
    assert.strictEqual(formatSlotRanges(ranges), "0-2,5-9,100")
  })
})
