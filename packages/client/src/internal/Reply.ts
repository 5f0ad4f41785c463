import { isRespErrorReply, type RespValue } from "@effect-redis/resp"
import { Effect, Result, Schema, SchemaGetter, SchemaIssue, SchemaTransformation } from "effect"

/**
 * What a reply decoder returns when the raw reply does not have the expected shape. A plain value, not an
 * `Error`: building one costs no stack capture, and the executor turns it into a `DecodeError` for the caller.
 */
export class ReplyMismatch {
  readonly expected: string
  readonly actual: RespValue
  constructor(expected: string, actual: RespValue) {
    this.expected = expected
    this.actual = actual
  }
  /** A sentence for error messages: what was expected and what came. */
  get reason(): string {
    return `expected ${this.expected}, got ${describeRespValue(this.actual)}`
  }
}

/**
 * How a command's reply becomes a TypeScript value.
 *
 * `schema` is an `effect/Schema` codec from the raw RESP value (as the `@effect-redis/resp` decoder produces it,
 * under RESP2 or RESP3) to `A`: it is what users compose, inspect and reuse. `decode` is the same conversion as a
 * plain function, which the executor calls on the hot path to skip the Schema interpreter's per-call cost; both
 * are built from one function, so they cannot disagree.
 */
export interface Reply<A> {
  /** Decodes a raw reply (`RespValue`) to `A`. */
  readonly schema: Schema.Codec<A, unknown>
  /** The same conversion as `schema`, as a plain function returning {@link ReplyMismatch} on a wrong shape. */
  readonly decode: (raw: RespValue) => A | ReplyMismatch
  /** Whether bulk strings should reach `decode` as bytes (`Uint8Array`) instead of UTF-8 strings. */
  readonly binary: boolean
}

const decodeOnly = SchemaGetter.forbidden<unknown, any>(() => "Redis replies can be decoded, not encoded")

/**
 * Builds a {@link Reply} from the decoded type's Schema and a conversion function. The function receives every
 * raw reply except top-level error replies (those fail the command with a `ReplyError` before decoding).
 */
export const makeReply = <S extends Schema.Top>(
  target: S,
  decode: (raw: RespValue) => S["Type"] | ReplyMismatch,
  options?: { readonly binary?: boolean }
): Reply<S["Type"]> => {
  const transformation = new SchemaTransformation.Transformation<S["Type"], unknown>(
    SchemaGetter.transformEffect((raw: unknown) => {
      const out = decode(raw as RespValue)
      return out instanceof ReplyMismatch
        ? Effect.fail(new SchemaIssue.InvalidValue({ message: out.reason }, raw))
        : Effect.succeed(out)
    }),
    decodeOnly
  )
  const schema = Schema.Unknown.pipe(Schema.decodeTo(Schema.toType(target), transformation)) as unknown as Schema.Codec<
    S["Type"],
    unknown
  >
  return { schema, decode, binary: options?.binary ?? false }
}

/**
 * Wraps any user Schema whose encoded side is a raw RESP value (e.g. `Schema.Array(Schema.String)` for a reply that
 * is an array of bulk strings) into a {@link Reply}. Slower than the built-in replies: each reply goes through the
 * Schema interpreter.
 */
export const fromSchema = <A>(schema: Schema.Codec<A, unknown>, options?: { readonly binary?: boolean }): Reply<A> => {
  const run = Schema.decodeUnknownResult(schema as Schema.Codec<A, unknown, never, never>)
  return {
    schema,
    binary: options?.binary ?? false,
    decode: (raw) => {
      const result = run(raw)
      return Result.isSuccess(result) ? result.success : new ReplyMismatch(String(result.failure), raw)
    }
  }
}

/** A short description of a raw reply for error messages (type and a bounded preview). */
export const describeRespValue = (value: RespValue): string => {
  if (value === null) return "null"
  if (typeof value === "string") return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "..." : value)}`
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return `${typeof value} ${String(value)}`
  }
  if (value instanceof Uint8Array) return `${value.length} bytes`
  if (isRespErrorReply(value)) return `error reply ${JSON.stringify(value.message)}`
  if (Array.isArray(value)) return `array of ${value.length}`
  if (value instanceof Map) return `map of ${value.size}`
  if (value instanceof Set) return `set of ${value.size}`
  return typeof value
}
