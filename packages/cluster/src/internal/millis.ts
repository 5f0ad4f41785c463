import { Duration } from "effect"

/** An optional duration option in milliseconds: `fallback` when absent, `Infinity` kept as "never". */
export const millis = (input: Duration.Input | undefined, fallback: number): number =>
  input === undefined ? fallback : input === Infinity ? Infinity : Duration.toMillis(input)
