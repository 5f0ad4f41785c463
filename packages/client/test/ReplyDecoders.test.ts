/**
 * Malformed server replies never crash a decoder: every builder's reply decoder, given arbitrary RESP values
 * (any type, nested, with nils, error replies, NaN and huge integers), returns a value or a `ReplyMismatch`
 * (which the client turns into a `DecodeError`), and never throws.
 */
import { assert, it } from "@effect/vitest"
import { Redis, RespErrorReply, type RespValue } from "@effect-redis/client"
import { allDefinedSpecs } from "@effect-redis/client/Command"
import * as fc from "fast-check"

// Load every builder module, so every spec is defined.
void Redis

// Field names the structured replies (XINFO, CLUSTER SHARDS, FUNCTION LIST, ACL GETUSER, MEMORY STATS...) look for, so
// generated maps and flat name/value arrays reach past the first shape check.
const fieldNames = fc.constantFrom(
  "name", "flags", "id", "addr", "length", "first-entry", "last-entry", "groups", "consumers", "pending", "slots",
  "nodes", "port", "tls-port", "ip", "endpoint", "hostname", "role", "health", "replication-offset", "library_name",
  "engine", "functions", "library_code", "description", "passwords", "commands", "keys", "channels", "selectors",
  "entries-read", "lag", "last-delivered-id", "idle", "inactive", "seen-time", "radix-tree-keys", "entries",
  "running_script", "engines", "calls", "histogram_usec", "summary", "since", "group", "arguments", "count"
)

const respValue: fc.Arbitrary<RespValue> = fc.letrec<{ value: RespValue }>((tie) => ({
  value: fc.oneof(
    // At the maximum depth fast-check picks the first option: keep it a leaf.
    { maxDepth: 3, depthIdentifier: "resp", withCrossShrink: true },
    fc.constant(null),
    fc.array(fc.tuple(fieldNames, tie("value")), { maxLength: 6 }).map((pairs) => pairs.flat() as Array<RespValue>),
    fc.array(fc.tuple(fieldNames, tie("value")), { maxLength: 6 }).map((pairs) => new Map<RespValue, RespValue>(pairs)),
    fc.array(fc.tuple(fc.string({ maxLength: 4 }), tie("value")), { maxLength: 4 }).map((pairs) => pairs.map((pair) => [...pair])),
    fc.string({ maxLength: 12 }),
    fc.constantFrom("inf", "-inf", "nan", "", "OK", "0", "-1", "1e400", "id=1 addr=x", "a:b\r\nc:d"),
    fc.oneof(fc.integer(), fc.double()),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
    fc.boolean(),
    fc.uint8Array({ maxLength: 8 }),
    fc.constant(new RespErrorReply("ERR nested")),
    fc.array(tie("value"), { maxLength: 6 }),
    fc.array(fc.tuple(fc.string({ maxLength: 6 }), tie("value")), { maxLength: 4 }).map((entries) => new Map<RespValue, RespValue>(entries)),
    fc.array(tie("value"), { maxLength: 4 }).map((items) => new Set(items))
  )
})).value

it("every reply decoder returns a value or a ReplyMismatch for arbitrary RESP values, never throws", () => {
  const specs = allDefinedSpecs()
  assert.isAbove(specs.length, 300)
  const samples = fc.sample(respValue, { numRuns: 400, seed: 20261122 })
  for (const spec of specs) {
    for (const raw of samples) {
      try {
        spec.reply.decode(raw)
      } catch (error) {
        assert.fail(`${spec.name} threw ${String(error)} on ${JSON.stringify(raw, (_, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Map ? [...v] : v instanceof Set ? [...v] : v))}`)
      }
    }
  }
})
