/**
 * Regenerates the command catalog, `packages/client/src/internal/catalog/commands.generated.ts`, from a real server's
 * `COMMAND INFO` and `COMMAND DOCS`, then `docs/commands.md` from the catalog and the client's builders.
 *
 * ```sh
 * node scripts/generate-catalog.ts                          # starts a throwaway redis-server from PATH
 * REDIS_URL=redis://127.0.0.1:6379 node scripts/generate-catalog.ts
 * ```
 */
import { NodeRuntime } from "@effect/platform-node"
import { Redis, RedisNode } from "@effect-redis/client"
import { LocalServer } from "@effect-redis/testkit"
import { Console, Effect } from "effect"
import { execFileSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { catalogFromServer, renderCatalogModule } from "./catalog/fromServer.ts"

const catalogPath = fileURLToPath(new URL("../packages/client/src/internal/catalog/commands.generated.ts", import.meta.url))

const fetchCatalog = (url: string) =>
  Effect.gen(function*() {
    const info = yield* Redis.call(["COMMAND", "INFO"])
    const docs = yield* Redis.call(["COMMAND", "DOCS"])
    const version = /redis_version:([^\r\n]+)/.exec(String(yield* Redis.call(["INFO", "server"])))?.[1] ?? "unknown"
    return { entries: catalogFromServer(info, docs), version }
  }).pipe(Effect.provide(RedisNode.layer({ url, protocol: 3 })))

const program = Effect.gen(function*() {
  const url = process.env["REDIS_URL"] ?? (yield* LocalServer.make()).url
  const { entries, version } = yield* fetchCatalog(url)
  writeFileSync(catalogPath, renderCatalogModule(entries, version))
  yield* Console.log(`[catalog] ${entries.length} commands of Redis ${version} -> ${catalogPath}`)
  // docs/commands.md is rendered from the freshly written catalog, in a new process so the new module is loaded.
  execFileSync(process.execPath, [fileURLToPath(new URL("./generate-command-docs.ts", import.meta.url))], { stdio: "inherit" })
}).pipe(Effect.scoped)

NodeRuntime.runMain(program)
