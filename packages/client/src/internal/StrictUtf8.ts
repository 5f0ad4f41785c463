import type { RespValue } from "@effect-redis/resp"
import type { Command, CommandSpec } from "../Command.ts"
import { makeCommand } from "../Command.ts"
import { CommandFlags } from "./CommandFlags.ts"
import { makeReply, type Reply, ReplyMismatch } from "./Reply.ts"

// Text replies are decoded the fast way by default: invalid UTF-8 becomes U+FFFD, as with Buffer#toString, and
// nothing tells the caller. Strict decoding reads the reply as bytes and validates it instead; it costs a
// TextDecoder pass per string, so it is opt-in, per command.

const strict = new TextDecoder("utf-8", { fatal: true })

/** Not UTF-8: the marker the conversion returns (a plain value: no stack capture). */
class NotUtf8 {
  readonly bytes: Uint8Array
  constructor(bytes: Uint8Array) {
    this.bytes = bytes
  }
}

/** Every bulk string of `raw` decoded as strict UTF-8 (map keys included); {@link NotUtf8} at the first that is not. */
const toText = (raw: RespValue): RespValue | NotUtf8 => {
  if (raw instanceof Uint8Array) {
    try {
      return strict.decode(raw)
    } catch {
      return new NotUtf8(raw)
    }
  }
  if (Array.isArray(raw)) {
    const out: Array<RespValue> = new Array(raw.length)
    for (let i = 0; i < raw.length; i++) {
      const item = toText(raw[i]!)
      if (item instanceof NotUtf8) return item
      out[i] = item
    }
    return out
  }
  if (raw instanceof Map) {
    const out = new Map<RespValue, RespValue>()
    for (const [key, value] of raw) {
      const k = toText(key), v = toText(value)
      if (k instanceof NotUtf8) return k
      if (v instanceof NotUtf8) return v
      out.set(k, v)
    }
    return out
  }
  if (raw instanceof Set) {
    const out = new Set<RespValue>()
    for (const item of raw) {
      const text = toText(item)
      if (text instanceof NotUtf8) return text
      out.add(text)
    }
    return out
  }
  return raw
}

const strictReplies = new WeakMap<Reply<unknown>, Reply<unknown>>()

/**
 * `reply`, reading bulk strings as bytes and decoding them as strict UTF-8 before `reply` sees them: a string
 * that is not valid UTF-8 makes the reply a mismatch (the command fails with `DecodeError`) instead of reaching
 * the caller with U+FFFD replacements. Binary replies (`getBytes`...) are returned unchanged: they have no text.
 */
export const strictUtf8Reply = <A>(reply: Reply<A>): Reply<A> => {
  if (reply.binary) return reply
  const known = strictReplies.get(reply as Reply<unknown>)
  if (known !== undefined) return known as Reply<A>
  const made = makeReply(reply.schema, (raw) => {
    const text = toText(raw)
    if (text instanceof NotUtf8) return new ReplyMismatch("valid UTF-8 text (strictUtf8)", text.bytes)
    return reply.decode(text)
  }, { binary: true })
  strictReplies.set(reply as Reply<unknown>, made as Reply<unknown>)
  return made
}

const strictSpecs = new WeakMap<CommandSpec<unknown>, CommandSpec<unknown>>()

/**
 * The same command, with its text replies decoded strictly: `Redis.strictUtf8(Redis.get(key))` fails with a
 * `DecodeError` ("expected valid UTF-8 text") when the value is not UTF-8, where `Redis.get(key)` would return it
 * with U+FFFD in place of the invalid bytes. Everything else (routing, retries, pipelines) is unchanged. For bytes
 * as they are, use the `...Bytes` builders (`Redis.getBytes`).
 */
export const strictUtf8 = <A>(command: Command<A>): Command<A> => {
  const spec = command.spec as CommandSpec<unknown>
  let strictSpec = strictSpecs.get(spec)
  if (strictSpec === undefined) {
    const reply = strictUtf8Reply(spec.reply)
    strictSpec = reply === spec.reply ? spec : { ...spec, reply, flags: spec.flags | CommandFlags.binaryReply }
    strictSpecs.set(spec, strictSpec)
  }
  return makeCommand(strictSpec as CommandSpec<A>, command.args, command.invalid)
}
