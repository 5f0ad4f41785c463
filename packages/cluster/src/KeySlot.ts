import type { RespArg } from "@effect-redis/resp"
import calculateSlot from "cluster-key-slot"

/** Redis Cluster has 16384 hash slots. */
export const SLOT_COUNT = 16384

const OPEN = 0x7b // {
const CLOSE = 0x7d // }

// CRC16-CCITT (XMODEM), the checksum Redis Cluster hashes keys with, for the one case cluster-key-slot gets wrong.
const CRC_TABLE = (() => {
  const table = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = i << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    table[i] = crc
  }
  return table
})()

const wholeKeySlot = (bytes: Uint8Array): number => {
  let crc = 0
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!
  return crc & 0x3fff
}

/**
 * The hash slot of a key: CRC16 of the key (or of its `{hash tag}`, when it has a non-empty one) modulo 16384,
 * exactly as the server computes it. Byte keys are hashed without being copied.
 *
 * A key whose first `{` is directly followed by `}` has an empty tag, so the server hashes the whole key;
 * cluster-key-slot keeps looking for a later tag instead (`"{}{x}"`), so that case is hashed here.
 */
export const keySlot = (key: RespArg): number => {
  if (typeof key === "string") {
    const open = key.indexOf("{")
    if (open >= 0 && key.charCodeAt(open + 1) === CLOSE) return wholeKeySlot(Buffer.from(key, "utf8"))
    return calculateSlot(key)
  }
  if (key instanceof Uint8Array) {
    const open = key.indexOf(OPEN)
    if (open >= 0 && key[open + 1] === CLOSE) return wholeKeySlot(key)
    return calculateSlot(Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength))
  }
  return calculateSlot(String(key))
}
