/**
 * Throw-away TLS material for test servers: a CA, a server certificate and a client certificate, made with
 * the `openssl` command line tool.
 *
 * @since 0.1.0
 */
import { Effect, Schema, type Scope } from "effect"
import { execFile } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { makeTempDirectory } from "./internal/TempDirectory.ts"
import type { TlsFiles } from "./RedisServerConfig.ts"

/**
 * `openssl` failed (or is not installed). `step` says which file was being made.
 *
 * @since 0.1.0
 */
export class CertificateError extends Schema.TaggedError<CertificateError>()("CertificateError", {
  step: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `could not generate TLS test certificates (${this.step}): ${this.reason}`
  }
}

/**
 * Options of {@link generateTlsCertificates}.
 *
 * @since 0.1.0
 */
export interface TlsCertificateOptions {
  /** Extra DNS names for the server certificate (announced hostnames). `localhost` and 127.0.0.1 are always in. */
  readonly hostnames?: ReadonlyArray<string> | undefined
  /** A folder to write into (created if missing; not removed). Default: a temp folder removed when the scope closes. */
  readonly dir?: string | undefined
  /** `openssl` binary. Default `openssl` on PATH. */
  readonly openssl?: string | undefined
}

/**
 * Generated files: everything of {@link TlsFiles} (the server pair also carries the clientAuth usage, since
 * redis-server presents it on replication and cluster-bus links), plus the folder they are in.
 *
 * @since 0.1.0
 */
export interface TlsCertificates extends TlsFiles {
  readonly dir: string
  readonly clientCertFile: string
  readonly clientKeyFile: string
}

const run = (openssl: string, step: string, args: ReadonlyArray<string>, cwd: string): Effect.Effect<void, CertificateError> =>
  Effect.callback<void, CertificateError>((resume) => {
    execFile(openssl, [...args], { cwd, timeout: 20_000 }, (error, _stdout, stderr) => {
      resume(
        error === null
          ? Effect.void
          : Effect.fail(new CertificateError({ step, reason: `${error.message}\n${String(stderr).trim()}` }))
      )
    })
  })

// EC P-256 keys: generated in milliseconds, where RSA 2048 takes a noticeable fraction of a second.
const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

/**
 * Makes a CA, a server certificate for `localhost`, `127.0.0.1`, `::1` and `options.hostnames`, and a client
 * certificate, valid for two days. Takes well under a second.
 *
 * @since 0.1.0
 */
export const generateTlsCertificates = (
  options: TlsCertificateOptions = {}
): Effect.Effect<TlsCertificates, CertificateError, Scope.Scope> =>
  Effect.gen(function*() {
    const dir = options.dir ?? (yield* makeTempDirectory("tls"))
    mkdirSync(dir, { recursive: true })
    const openssl = options.openssl ?? "openssl"
    const names = ["DNS:localhost", "IP:127.0.0.1", "IP:::1", ...(options.hostnames ?? []).map((name) => `DNS:${name}`)]
    writeFileSync(
      join(dir, "server.ext"),
      `subjectAltName=${names.join(",")}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`
    )
    writeFileSync(join(dir, "client.ext"), "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n")
    yield* run(openssl, "CA", [
      "req", "-x509", ...newKey, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
      "-subj", "/CN=effect-redis-testkit CA",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"
    ], dir)
    const issue = (name: "server" | "client") =>
      Effect.gen(function*() {
        yield* run(openssl, `${name} request`, [
          "req", "-new", ...newKey, "-keyout", `${name}.key`, "-out", `${name}.csr`,
          "-subj", `/CN=effect-redis-testkit ${name}`
        ], dir)
        yield* run(openssl, `${name} certificate`, [
          "x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key",
          // Fixed distinct serials: -CAcreateserial would race on ca.srl when both are issued at once.
          "-set_serial", name === "server" ? "1001" : "1002",
          "-out", `${name}.crt`, "-days", "2", "-extfile", `${name}.ext`
        ], dir)
      })
    yield* Effect.all([issue("server"), issue("client")], { concurrency: 2 })
    return {
      dir,
      caFile: join(dir, "ca.crt"),
      certFile: join(dir, "server.crt"),
      keyFile: join(dir, "server.key"),
      clientCertFile: join(dir, "client.crt"),
      clientKeyFile: join(dir, "client.key")
    }
  })
