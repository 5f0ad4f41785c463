import type { RespArg } from "@effect-redis/resp"
import type { InvalidOptions } from "../../Command.ts"
import { atMostOne, integerAtLeast } from "./validate.ts"

/** When a key expires: at most one of these (SET also takes `keepTtl`, GETEX also `persist`). */
export interface ExpirationOptions {
  /** Expire after this many seconds (EX). */
  readonly ex?: number | undefined
  /** Expire after this many milliseconds (PX). */
  readonly px?: number | undefined
  /** Expire at this Unix time in seconds (EXAT). */
  readonly exat?: number | undefined
  /** Expire at this Unix time in milliseconds (PXAT). */
  readonly pxat?: number | undefined
}

/** Appends `EX n` / `PX n` / `EXAT t` / `PXAT t` (validated) and any extra flag among `extra`. */
export const pushExpiration = (
  out: Array<RespArg>,
  options: ExpirationOptions & Readonly<Record<string, unknown>>,
  extra: ReadonlyArray<readonly [name: string, token: string]> = []
): InvalidOptions | undefined => {
  const conflict = atMostOne(options, ["ex", "px", "exat", "pxat", ...extra.map(([name]) => name)])
  if (conflict !== undefined) return conflict
  for (const [name, token] of [["ex", "EX"], ["px", "PX"], ["exat", "EXAT"], ["pxat", "PXAT"]] as const) {
    const value = options[name]
    if (value === undefined) continue
    const bad = integerAtLeast(name, value)
    if (bad !== undefined) return bad
    out.push(token, value)
  }
  for (const [name, token] of extra) if (options[name] === true) out.push(token)
  return undefined
}

/** Conditions of the EXPIRE family (Redis 7): at most one. */
export interface ExpireCondition {
  /** Only if the key has no expiry. */
  readonly nx?: boolean | undefined
  /** Only if the key has an expiry. */
  readonly xx?: boolean | undefined
  /** Only if the new expiry is later than the current one. */
  readonly gt?: boolean | undefined
  /** Only if the new expiry is earlier than the current one. */
  readonly lt?: boolean | undefined
}

/** Appends the EXPIRE condition flag, if any. */
export const pushExpireCondition = (out: Array<RespArg>, condition: ExpireCondition | undefined): InvalidOptions | undefined => {
  if (condition === undefined) return undefined
  const conflict = atMostOne(condition, ["nx", "xx", "gt", "lt"])
  if (conflict !== undefined) return conflict
  if (condition.nx === true) out.push("NX")
  if (condition.xx === true) out.push("XX")
  if (condition.gt === true) out.push("GT")
  if (condition.lt === true) out.push("LT")
  return undefined
}
