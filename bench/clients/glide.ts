/**
 * valkey-glide (`@valkey/valkey-glide`) on demand. It is a native module (a Rust core, ~23 MB for linux-x64), so
 * it is not a dependency of the workspace: `pnpm install`, CI and `npm test` never download it. When a bench run
 * asks for the `glide` client, `ensureGlide` (in the runner, once) installs the pinned version into `bench/.peers`
 * (ignored by git) with `npm install --no-save`, and each measurement process imports it from there with
 * `loadGlide`. Offline, or on a platform glide has no binary for, `ensureGlide` says why and the runner skips the
 * glide rows.
 */
import { execFile } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"
import { promisify } from "node:util"

/** The version measured; bump it deliberately. */
export const GLIDE_VERSION = "2.5.2"
const GLIDE_PACKAGE = "@valkey/valkey-glide"
/** `bench/.peers`: an npm prefix of its own, outside the pnpm workspace's dependency graph. */
const peersDir = join(import.meta.dirname, "..", ".peers")

/** The part of glide's API the bench uses (typed here: its own types are not installed for `tsc`). */
export interface GlideClusterClient {
  readonly set: (key: string, value: string) => Promise<unknown>
  readonly get: (key: string) => Promise<unknown>
  readonly del: (keys: Array<string>) => Promise<unknown>
  readonly mget: (keys: Array<string>) => Promise<Array<unknown>>
  readonly exec: (batch: GlideClusterBatch, raiseOnError: boolean) => Promise<Array<unknown> | null>
  readonly close: () => void
}
export interface GlideClusterBatch {
  readonly set: (key: string, value: string) => GlideClusterBatch
  readonly get: (key: string) => GlideClusterBatch
  readonly incr: (key: string) => GlideClusterBatch
}
export interface GlideModule {
  readonly GlideClusterClient: {
    readonly createClient: (options: {
      readonly addresses: ReadonlyArray<{ readonly host: string; readonly port: number }>
      readonly requestTimeout?: number
    }) => Promise<GlideClusterClient>
  }
  /** `new ClusterBatch(false)`: a non-atomic batch (pipeline), which glide splits per node; `true`: a transaction. */
  readonly ClusterBatch: new(isAtomic: boolean) => GlideClusterBatch
}

/** Where the installed copy's package.json is, when the pinned version is there. */
const installedEntry = (): string | undefined => {
  const manifest = join(peersDir, "node_modules", GLIDE_PACKAGE, "package.json")
  if (!existsSync(manifest)) return undefined
  const version = (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version
  if (version !== GLIDE_VERSION) return undefined
  return createRequire(join(peersDir, "package.json")).resolve(GLIDE_PACKAGE)
}

/** Imports glide from `bench/.peers`; throws when it is not installed there or its native part does not load. */
export const loadGlide = async (): Promise<GlideModule> => {
  const entry = installedEntry()
  if (entry === undefined) throw new Error(`${GLIDE_PACKAGE}@${GLIDE_VERSION} is not installed in ${peersDir} (run the bench through bench/run.ts)`)
  const module = (await import(pathToFileURL(entry).href)) as GlideModule & { readonly default?: GlideModule }
  return module.default ?? module
}

/**
 * Makes sure glide can be loaded: installs the pinned version into `bench/.peers` when it is not there, then
 * loads it once. Returns `undefined` when it is usable, or why not (the runner then skips glide).
 */
export const ensureGlide = async (): Promise<string | undefined> => {
  if (installedEntry() === undefined) {
    mkdirSync(peersDir, { recursive: true })
    const manifest = join(peersDir, "package.json")
    if (!existsSync(manifest)) writeFileSync(manifest, `${JSON.stringify({ name: "effect-redis-bench-peers", private: true }, null, 2)}\n`)
    console.log(`# installing ${GLIDE_PACKAGE}@${GLIDE_VERSION} into bench/.peers (native module, on demand; not a workspace dependency)`)
    try {
      await promisify(execFile)(
        "npm",
        ["install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock", "--prefix", peersDir, `${GLIDE_PACKAGE}@${GLIDE_VERSION}`],
        // The npm next to this node first, then whatever npm is on PATH.
        { timeout: 180_000, env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` } }
      )
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? "")
      const npmErrors = stderr.split("\n").filter((line) => line.startsWith("npm error")).slice(0, 3)
      const reason = npmErrors.length > 0 ? npmErrors.join("; ") : error instanceof Error ? error.message.split("\n")[0] : String(error)
      return `npm install ${GLIDE_PACKAGE}@${GLIDE_VERSION} failed (offline?): ${reason}`
    }
  }
  try {
    const glide = await loadGlide()
    if (typeof glide.GlideClusterClient?.createClient !== "function") return `${GLIDE_PACKAGE} has no GlideClusterClient.createClient`
    return undefined
  } catch (error) {
    return `${GLIDE_PACKAGE}@${GLIDE_VERSION} does not load on ${process.platform}-${process.arch}: ${error instanceof Error ? error.message : String(error)}`
  }
}
