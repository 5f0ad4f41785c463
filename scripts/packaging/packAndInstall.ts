/**
 * Builds the workspace's packages, packs each with `pnpm pack` (which swaps `exports` for `publishConfig.exports`
 * and `workspace:` ranges for real versions, as a publish would) and installs the tarballs with npm into a fresh
 * project outside the repository, next to `effect` and `@effect/platform-node` from the registry. What a user
 * gets from `npm install @effect-redis/cluster effect`, without publishing.
 *
 * Used by test/packaging (the consumer tests) and bench/package-footprint.ts (installed size and import time).
 */
import { execFileSync } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url))

/** The published packages, in dependency order. */
export const packageNames = ["resp", "client", "cluster", "testkit"] as const

/** Versions the consumer project installs from the registry beside the tarballs. */
export const registryDependencies = {
  effect: "4.1.0",
  "@effect/platform-node": "4.1.0"
} as const
export const registryDevDependencies = { typescript: "5.9.3", "@types/node": "24.19.2" } as const

/** A consumer project with the packed packages installed. */
export interface PackedConsumer {
  /** The project folder (outside the repository). */
  readonly dir: string
  /** `@effect-redis/<name>` -> tarball path. */
  readonly tarballs: ReadonlyMap<string, string>
}

const run = (command: string, args: ReadonlyArray<string>, cwd: string, timeoutMs = 240_000): string =>
  execFileSync(command, args, { cwd, encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] })

/**
 * Whether the npm registry answers (a quick `npm view`): offline, the consumer tests say so and are skipped
 * instead of failing on an install that cannot work.
 */
export const registryReachable = (): boolean => {
  try {
    run("npm", ["view", "effect@4.1.0", "version", "--fetch-retries=0", "--fetch-timeout=15000"], repoRoot, 30_000)
    return true
  } catch {
    return false
  }
}

/**
 * A clean `tsc -b` of every package into its `dist/`: outputs of an earlier build are removed first, so a module that
 * was moved or deleted never lingers in a tarball.
 */
export const buildPackages = (): void => {
  for (const name of packageNames) {
    rmSync(join(repoRoot, "packages", name, "dist"), { recursive: true, force: true })
    rmSync(join(repoRoot, "packages", name, ".tsbuildinfo"), { force: true })
  }
  run(join(repoRoot, "node_modules/.bin/tsc"), ["-b", "tsconfig.build.json"], repoRoot)
}

if (import.meta.main && process.argv[2] === "build") buildPackages()

/** Packs every package into `dir`; returns the tarballs by package name. */
export const packPackages = (dir: string): ReadonlyMap<string, string> => {
  mkdirSync(dir, { recursive: true })
  for (const name of packageNames) run("pnpm", ["pack", "--pack-destination", dir], join(repoRoot, "packages", name))
  const tarballs = new Map<string, string>()
  for (const file of readdirSync(dir)) {
    const match = /^effect-redis-([a-z]+)-.*\.tgz$/.exec(file)
    if (match !== null) tarballs.set(`@effect-redis/${match[1]}`, join(dir, file))
  }
  return tarballs
}

/** Builds, packs and installs into a new temp project with npm (never pnpm, never workspace links). */
export const packAndInstall = (options: { readonly withTypeScript?: boolean; readonly files?: string } = {}): PackedConsumer => {
  buildPackages()
  const dir = mkdtempSync(join(tmpdir(), "effect-redis-consumer-"))
  const tarballs = packPackages(join(dir, "tarballs"))
  const dependencies: Record<string, string> = { ...registryDependencies }
  for (const [name, path] of tarballs) dependencies[name] = `file:${path}`
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: "effect-redis-consumer",
      private: true,
      type: "module",
      dependencies,
      devDependencies: options.withTypeScript === false ? {} : registryDevDependencies
    }, null, 2)
  )
  if (options.files !== undefined) cpSync(options.files, dir, { recursive: true })
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], dir)
  return { dir, tarballs }
}
