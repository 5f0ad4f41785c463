/**
 * WAITAOF (Redis 7.2+, Valkey): waits until the writes sent before it on the connection are fsynced to the
 * append-only file of the server and of its replicas.
 *
 * @module
 */
import type { RespValue } from "@effect-redis/resp"
import { Schema } from "effect"
import { defineCommand, InvalidOptions } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import { makeReply, type Reply } from "../Reply.ts"
import { mismatch, toInteger } from "../ReplyDecoding.ts"
import { integerAtLeast } from "./validate.ts"

/** How many servers fsynced the writes: the server itself (0 or 1) and how many replicas. */
export interface AofAcknowledgements {
  readonly local: number
  readonly replicas: number
}

const acknowledgements: Reply<AofAcknowledgements> = makeReply(
  Schema.Struct({ local: Schema.Number, replicas: Schema.Number }),
  (raw: RespValue) => {
    const local = Array.isArray(raw) && raw.length === 2 ? toInteger(raw[0]!) : undefined
    const replicas = Array.isArray(raw) && raw.length === 2 ? toInteger(raw[1]!) : undefined
    return local === undefined || replicas === undefined ? mismatch("[local, replicas]")(raw) : { local, replicas }
  }
)

/**
 * WAITAOF numlocal numreplicas timeout: waits until every write sent before it on the client's connection is
 * fsynced to the AOF of the server (`numlocal` 1; the server must have `appendonly yes`, else it fails with
 * `ReplyError`) and of `numreplicas` replicas, or `timeoutMs` passed; how many did.
 *
 * Like WAIT it runs on the client's shared connection, whose writes it counts, and holds the commands queued behind
 * it while it waits: keep `timeoutMs` short (0, wait forever, is refused). Standalone only.
 */
export const waitaof = defineCommand({
  name: "WAITAOF", flags: CommandFlags.connectionState, keys: noKeys, reply: acknowledgements,
  blockingTimeout: (args) => (typeof args[3] === "number" ? args[3] : undefined),
  args: (numlocal: 0 | 1, numreplicas: number, timeoutMs: number) =>
    (numlocal !== 0 && numlocal !== 1 ? new InvalidOptions(`numlocal must be 0 or 1, got ${String(numlocal)}`) : undefined) ??
      integerAtLeast("numreplicas", numreplicas, 0) ?? integerAtLeast("timeoutMs", timeoutMs) ??
      ["WAITAOF", numlocal, numreplicas, timeoutMs]
})
