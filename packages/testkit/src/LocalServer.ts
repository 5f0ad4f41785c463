/**
 * A standalone (non-cluster) redis-server as a scoped resource and a Layer.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, type Scope } from "effect"
import { join } from "node:path"
import type { AdminCommandOptions, AdminError, CommandArgument, RespReply } from "./AdminConnection.ts"
import { makeTempDirectory } from "./internal/TempDirectory.ts"
import { serverVersion, type ServerVersion } from "./ServerVersion.ts"
import type { AclUser, Secret, TlsClientAuth, TlsFiles } from "./RedisServerConfig.ts"
import { RedisServerProcess, type ServerStartError } from "./RedisServerProcess.ts"
import { type CertificateError, generateTlsCertificates } from "./TlsCertificates.ts"

/**
 * How to start the server.
 *
 * @since 0.1.0
 */
export interface LocalServerOptions {
  /** `true` generates a throw-away CA and certificates; or pass your own files. Default: plain TCP. */
  readonly tls?: boolean | TlsFiles | undefined
  /** `tls-auth-clients`. Default `"optional"`. */
  readonly tlsAuthClients?: TlsClientAuth | undefined
  /** `requirepass` (the password of the `default` user). */
  readonly password?: Secret | undefined
  /** Extra ACL users. */
  readonly users?: ReadonlyArray<AclUser> | undefined
  readonly appendOnly?: boolean | undefined
  /** Raw config lines, appended last. */
  readonly extraConfig?: ReadonlyArray<string> | undefined
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
  /** redis-server binary. Default `$REDIS_SERVER`, else `redis-server` on PATH. */
  readonly executable?: string | undefined
}

/**
 * Everything that can go wrong starting a local server.
 *
 * @since 0.1.0
 */
export type LocalServerError = ServerStartError | CertificateError

/**
 * What a {@link LocalServer} offers.
 *
 * @since 0.1.0
 */
export interface LocalServerService {
  readonly host: string
  readonly port: number
  /** `redis://host:port` (`rediss://` with TLS), without credentials. */
  readonly url: string
  /** The TLS files in use, when TLS is on. */
  readonly tls: TlsFiles | undefined
  /** The folder with config, log and data; removed when the scope closes. */
  readonly dir: string
  /** The process, to kill, stop, pause, resume or restart it. */
  readonly process: RedisServerProcess
  /** The server's flavour and version, for version-specific expectations. */
  readonly serverVersion: ServerVersion
  /** Runs a command over the test kit's admin connection. */
  readonly command: (args: ReadonlyArray<CommandArgument>, options?: AdminCommandOptions) => Effect.Effect<RespReply, AdminError>
  /** FLUSHALL. */
  readonly flushAll: Effect.Effect<void, AdminError>
}

/**
 * A local standalone Redis server.
 *
 * @since 0.1.0
 */
export class LocalServer extends Context.Service<LocalServer, LocalServerService>()(
  "@effect-redis/testkit/LocalServer"
) {
  /**
   * Starts a server; closing the scope kills it and removes its folder.
   *
   * @since 0.1.0
   */
  static make(options: LocalServerOptions = {}): Effect.Effect<LocalServerService, LocalServerError, Scope.Scope> {
    return makeLocalServer(options)
  }

  /**
   * The server as a Layer.
   *
   * @since 0.1.0
   */
  static layer(options: LocalServerOptions = {}): Layer.Layer<LocalServer, LocalServerError> {
    return Layer.effect(LocalServer, makeLocalServer(options))
  }
}

const makeLocalServer = (options: LocalServerOptions): Effect.Effect<LocalServerService, LocalServerError, Scope.Scope> =>
  Effect.gen(function*() {
    const dir = yield* makeTempDirectory("server")
    const tls = options.tls === true
      ? yield* generateTlsCertificates({ dir: join(dir, "tls") })
      : options.tls === false
      ? undefined
      : options.tls
    const process = yield* RedisServerProcess.start({
      dir,
      host: options.host,
      executable: options.executable,
      tls,
      tlsAuthClients: options.tlsAuthClients,
      password: options.password,
      users: options.users,
      appendOnly: options.appendOnly,
      extraConfig: options.extraConfig
    })
    return {
      host: process.host,
      port: process.port,
      url: process.url,
      tls,
      dir,
      process,
      serverVersion: serverVersion(options.executable),
      command: (args, commandOptions) => process.command(args, commandOptions),
      flushAll: Effect.asVoid(process.command(["FLUSHALL"]))
    } satisfies LocalServerService
  })
