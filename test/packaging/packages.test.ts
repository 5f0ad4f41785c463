/**
 * The packages as a user installs them: built, packed with `pnpm pack`, installed with npm from the tarballs into a
 * project outside the repository (scripts/packaging/packAndInstall.ts). A plain JavaScript program runs against a
 * real local cluster, a TypeScript consumer type-checks under `nodenext` and `bundler` resolution, internals cannot
 * be imported, and the packed manifests carry real version ranges.
 *
 * Run once per `npm test` (vitest.packaging.config.ts), not per server. Offline (no npm registry) the tests say so
 * and are skipped: the install cannot work there.
 */
import { LocalCluster } from "@effect-redis/testkit"
import { Effect, Exit, Scope } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { packAndInstall, type PackedConsumer, registryReachable } from "../../scripts/packaging/packAndInstall.ts"

const online = registryReachable()
if (!online) console.log("[packaging] the npm registry is unreachable: consumer tests SKIPPED (they need npm install)")

describe.runIf(online)("the packed packages, installed with npm into a fresh project", () => {
  let consumer: PackedConsumer
  let clusterUrl: string
  const scope = Effect.runSync(Scope.make())

  beforeAll(async () => {
    consumer = packAndInstall({ files: join(import.meta.dirname, "consumer") })
    const cluster = await Effect.runPromise(LocalCluster.make({ primaries: 3, replicasPerPrimary: 0 }).pipe(Scope.provide(scope)))
    clusterUrl = cluster.url
  }, 300_000)

  afterAll(async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    if (consumer !== undefined) rmSync(consumer.dir, { recursive: true, force: true })
  })

  it("a plain JavaScript ESM program connects to a cluster and runs SET/GET, a pipeline and a cross-slot MGET", () => {
    const out = execFileSync(process.execPath, ["app.mjs"], {
      cwd: consumer.dir,
      encoding: "utf8",
      env: { ...process.env, REDIS_CLUSTER_URL: clusterUrl },
      timeout: 60_000
    })
    const result = JSON.parse(out.trim().split("\n").at(-1)!)
    assert.deepStrictEqual(result.name, "ada")
    assert.deepStrictEqual(result.count, 1)
    assert.deepStrictEqual(result.again, "ada")
    assert.deepStrictEqual(result.mget, Array.from({ length: 20 }, (_, i) => String(i)).join(","))
    assert.isAbove(result.slots, 1, "the MGET's keys span several slots")
  })

  for (const moduleResolution of ["nodenext", "bundler"] as const) {
    it(`a TypeScript consumer type-checks under strict, moduleResolution ${moduleResolution}`, () => {
      const tsconfig = `tsconfig.${moduleResolution}.json`
      writeFileSync(
        join(consumer.dir, tsconfig),
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            module: moduleResolution === "nodenext" ? "nodenext" : "esnext",
            moduleResolution,
            strict: true,
            exactOptionalPropertyTypes: true,
            noEmit: true,
            types: ["node"]
          },
          files: ["consumer.ts"]
        })
      )
      const tsc = spawnSync(process.execPath, [join(consumer.dir, "node_modules/typescript/bin/tsc"), "-p", tsconfig], {
        cwd: consumer.dir,
        encoding: "utf8",
        timeout: 120_000
      })
      assert.strictEqual(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`)
    })
  }

  it("internal modules and sources cannot be imported from the installed packages", () => {
    for (const specifier of [
      "@effect-redis/cluster/internal/routing/ClusterExecutor",
      "@effect-redis/cluster/dist/routing/ClusterExecutor.js",
      "@effect-redis/client/src/index.ts"
    ]) {
      const attempt = spawnSync(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(specifier)})`], {
        cwd: consumer.dir,
        encoding: "utf8"
      })
      assert.notStrictEqual(attempt.status, 0, `${specifier} was importable`)
      assert.include(attempt.stderr, "ERR_PACKAGE_PATH_NOT_EXPORTED", specifier)
    }
  })

  it("the packed manifests point at dist/ and depend on real versions, never workspace: ranges", () => {
    for (const name of ["resp", "client", "cluster", "testkit"]) {
      const manifest = JSON.parse(readFileSync(join(consumer.dir, "node_modules/@effect-redis", name, "package.json"), "utf8"))
      const text = JSON.stringify(manifest)
      assert.notInclude(text, "workspace:", name)
      assert.notInclude(JSON.stringify(manifest.exports), "/src/", name)
      assert.strictEqual(manifest.exports["."].default, "./dist/index.js", name)
      assert.strictEqual(manifest.peerDependencies.effect, "^4.1.0", name)
    }
  })
})
