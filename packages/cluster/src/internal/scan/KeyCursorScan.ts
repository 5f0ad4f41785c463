import {
  ClusterDownError,
  type Command,
  DecodeError,
  RedirectionLimitError,
  type RedisError,
  type Redirection,
  type Replies,
  ReplyError,
  ReplyMismatch
} from "@effect-redis/client"
import type { RedisKey } from "@effect-redis/client/Redis"
import { isRespErrorReply } from "@effect-redis/resp"
import { Array as Arr, Cause, Effect, Result, Stream } from "effect"
import { keySlot } from "../../KeySlot.ts"
import type { RequestContext } from "../routing/ClusterRequest.ts"
import { parseRedirect } from "../topology/ClusterReplyParsing.ts"
import { formatAddress } from "../topology/ClusterSnapshot.ts"
import { type NodeTarget, PendingReply, sendToNode } from "./NodeRequest.ts"
import { ScanRetry } from "./ScanRetry.ts"

/**
 * One key's HSCAN / SSCAN / ZSCAN cursor on a cluster. A cursor only means something to the server process that
 * issued it (the positions depend on that process's hash seed), so every page goes to the node the first page
 * came from, not through the slot map: when the key moves (MOVED, or ASK because its slot is being migrated and the
 * key is already on the target), the iteration starts again at cursor 0 on the node that now holds the key, with
 * ASKING before each page while that node is still importing. A lost connection starts it again too, from the
 * slot's owner after a refresh. Entries may then repeat; none present throughout is missed.
 */
export const keyCursorScan = <A>(
  ctx: RequestContext,
  key: RedisKey,
  page: (cursor: string) => Command<Replies.ScanPage<A>>
): Stream.Stream<A, RedisError> =>
  Stream.fromPull(Effect.sync(() => {
    const slot = keySlot(key)
    const retry = new ScanRetry(ctx.schedules)
    let pinned: NodeTarget | undefined
    let asking = false
    let cursor = "0"
    let done = false
    let redirects: Array<Redirection> = []
    /** The next page, sent to the pinned node when the previous page arrived. */
    let next: PendingReply | undefined

    const restartOn = (node: NodeTarget | undefined, ask: boolean) => {
      pinned = node
      asking = ask
      cursor = "0"
      next = undefined
    }

    const pull = Effect.fnUntraced(function*() {
      while (true) {
        if (done) return yield* Cause.done()
        const target = pinned ?? ctx.topology.current().shardForSlot(slot)?.primary
        const command = page(cursor)
        const name = command.spec.name
        if (target === undefined) {
          yield* Effect.ignore(ctx.topology.refresh)
          if (ctx.topology.current().shardForSlot(slot) === undefined) {
            yield* retry.wait("clusterDown", () =>
              new ClusterDownError({ command: name, slot, reason: `slot ${slot} is not served by any node`, attempts: retry.attempts }))
          }
          continue
        }
        const options = { binary: command.spec.reply.binary, timeoutMs: ctx.commandTimeoutMs, asking }
        const prefetched = next
        next = undefined
        const sent = yield* Effect.result(prefetched?.await ?? sendToNode(ctx.pool, target, command.args, options))
        if (Result.isFailure(sent)) {
          const error = sent.failure
          if (error._tag !== "ConnectionError" && error._tag !== "TimeoutError" && error._tag !== "ProtocolError") return yield* Effect.fail(error)
          ctx.topology.requestRefresh("connectionLost")
          yield* retry.wait("connection", () => error)
          restartOn(undefined, false)
          continue
        }
        const raw = sent.success
        if (isRespErrorReply(raw)) {
          switch (raw.code) {
            case "MOVED":
            case "ASK": {
              const redirect = parseRedirect(raw.message, target.host)
              if (redirect === undefined) return yield* Effect.fail(new ReplyError({ code: raw.code, message: raw.message, command: name }))
              const to = ctx.topology.resolveAddress({ host: redirect.host, port: redirect.port })
              const address = formatAddress(to.host, to.port)
              redirects.push({ kind: raw.code, slot, address })
              if (redirects.length > ctx.maxRedirections) {
                return yield* Effect.fail(new RedirectionLimitError({ command: name, history: redirects }))
              }
              if (raw.code === "MOVED") ctx.topology.slotMoved(slot, to)
              restartOn({ host: to.host, port: to.port, address }, raw.code === "ASK")
              continue
            }
            case "LOADING":
              // A loading node was restarted: its old cursors mean nothing.
              yield* retry.wait("loading", () => new ReplyError({ code: raw.code, message: raw.message, command: name }))
              restartOn(undefined, false)
              continue
            case "CLUSTERDOWN":
            case "MASTERDOWN":
            case "TRYAGAIN":
              // Refused, not executed: the same cursor on the same node is still good.
              ctx.topology.requestRefresh("clusterDown")
              yield* retry.wait("clusterDown", () =>
                new ClusterDownError({ command: name, slot, reason: raw.message, attempts: retry.attempts }))
              continue
            default:
              return yield* Effect.fail(new ReplyError({ code: raw.code, message: raw.message, command: name }))
          }
        }
        const decoded = command.spec.reply.decode(raw)
        if (decoded instanceof ReplyMismatch) return yield* Effect.fail(new DecodeError({ command: name, reason: decoded.reason, reply: raw }))
        retry.reset()
        redirects = []
        pinned = target
        cursor = decoded.cursor
        if (cursor === "0") done = true
        // One page ahead, on the same node: the server works while the consumer handles this page.
        else next = PendingReply.start(ctx.pool, target, page(cursor).args, options)
        if (Arr.isReadonlyArrayNonEmpty(decoded.items)) return decoded.items
      }
    })
    return Effect.suspend(pull)
  }))
