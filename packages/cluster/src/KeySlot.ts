import type { RespArg } from "@effect-redis/resp"
import calculateSlot from "cluster-key-slot"

/** Redis Cluster has 16384 hash slots. */
export const SLOT_COUNT = 16384

/**
 * The hash slot of a key: CRC16 of the key (or of its `{hash tag}`, when it has a non-empty one) modulo 16384,
 * exactly as the server computes it. Byte keys are hashed without being copied.
 */
export const keySlot = (key: RespArg): number => {
  if (typeof key === "string") return calculateSlot(key)
  if (key instanceof Uint8Array) {
    return calculateSlot(Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength))
  }
  return calculateSlot(String(key))
}
