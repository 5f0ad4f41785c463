import { InvalidOptions } from "../../Command.ts"

// Checks of builder options that the encoder cannot see (it only knows each argument's type). A failed check makes
// the command fail with InvalidArgumentError when run, before anything is sent.

/** `value` must be an integer >= `min` (default 1), else the reason. */
export const integerAtLeast = (name: string, value: number, min = 1): InvalidOptions | undefined =>
  Number.isSafeInteger(value) && value >= min ? undefined : new InvalidOptions(`${name} must be an integer >= ${min}, got ${String(value)}`)

/** At most one of `names` may be set in `options`. */
export const atMostOne = (options: object, names: ReadonlyArray<string>): InvalidOptions | undefined => {
  const set = names.filter((name) => (options as Record<string, unknown>)[name] !== undefined && (options as Record<string, unknown>)[name] !== false)
  return set.length > 1 ? new InvalidOptions(`options ${set.join(" and ")} cannot be combined`) : undefined
}

/** A non-empty list is required. */
export const nonEmpty = (name: string, items: ReadonlyArray<unknown> | number): InvalidOptions | undefined =>
  (typeof items === "number" ? items : items.length) > 0 ? undefined : new InvalidOptions(`${name} must not be empty`)
