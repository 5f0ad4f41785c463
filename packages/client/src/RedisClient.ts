import { Context, Effect, Result } from "effect"
import type { Command } from "./Command.ts"
import type { RedisError } from "./internal/errors/RedisError.ts"

/** The success type of a {@link Command}. */
export type CommandSuccess<C> = C extends Command<infer A> ? A : never

/** The results of a pipeline, one per command, in order, each typed by its command. */
export type PipelineResults<Cs extends ReadonlyArray<Command<any>>> = {
  -readonly [K in keyof Cs]: Result.Result<CommandSuccess<Cs[K]>, RedisError>
}

/** The values of a pipeline whose commands all succeeded, typed by position. */
export type PipelineValues<Cs extends ReadonlyArray<Command<any>>> = {
  -readonly [K in keyof Cs]: CommandSuccess<Cs[K]>
}

/**
 * What a Redis client can do, whatever it is connected to. Programs written against it run unchanged on a
 * standalone server (`RedisNode.layer`) or a cluster (`RedisCluster.layer`).
 */
export interface RedisClientService {
  /** Runs one command and decodes its reply. */
  readonly run: <A>(command: Command<A>) => Effect.Effect<A, RedisError>
  /**
   * Sends commands as one pipeline (one write, replies in order) and returns each command's own outcome. Not
   * atomic: every command runs even when an earlier one fails.
   */
  readonly pipelineResults: <const Cs extends ReadonlyArray<Command<any>>>(
    commands: Cs
  ) => Effect.Effect<PipelineResults<Cs>>
}

/**
 * The generic Redis client service (like `SqlClient` in `@effect/sql`). Commands are Effects that require it, so
 * most programs never use it directly; its static helpers cover pipelines.
 */
export class RedisClient extends Context.Service<RedisClient, RedisClientService>()("@effect-redis/client/RedisClient") {
  /** Runs one command on the provided client (the same as `yield* command`). */
  static run<A>(command: Command<A>): Effect.Effect<A, RedisError, RedisClient> {
    return RedisClient.use((client) => client.run(command))
  }

  /**
   * Runs commands as one pipeline and returns their values in order, typed by position:
   * `const [name, hits] = yield* RedisClient.pipeline([Redis.get("user"), Redis.incr("hits")])`.
   * Every command is sent and answered; if any failed, the pipeline fails with the first failure in command
   * order (use {@link RedisClient.pipelineResults} to see every outcome).
   */
  static pipeline<const Cs extends ReadonlyArray<Command<any>>>(
    commands: Cs
  ): Effect.Effect<PipelineValues<Cs>, RedisError, RedisClient> {
    return RedisClient.use((client) =>
      Effect.flatMap(client.pipelineResults(commands), (results) => {
        const values: Array<unknown> = new Array(results.length)
        for (let i = 0; i < results.length; i++) {
          const result = results[i] as Result.Result<unknown, RedisError>
          if (Result.isFailure(result)) return Effect.fail(result.failure)
          values[i] = result.success
        }
        return Effect.succeed(values as PipelineValues<Cs>)
      })
    )
  }

  /** Runs commands as one pipeline and returns every command's own `Result`, in order. */
  static pipelineResults<const Cs extends ReadonlyArray<Command<any>>>(
    commands: Cs
  ): Effect.Effect<PipelineResults<Cs>, never, RedisClient> {
    return RedisClient.use((client) => client.pipelineResults(commands))
  }
}
