/**
 * Regenerates the command catalog, `packages/client/src/internal/catalog/commands.generated.ts`, from the `COMMAND INFO` and
 * `COMMAND DOCS` of several real servers, then `docs/commands.md` from the catalog and the client's builders.
 *
 * The catalog is the union of the servers the client supports (Redis 7.0, Redis 8.0, Valkey 8.1): every entry says
 * which of them have the command, and where they describe it differently the entry is their merge. The merge rule,
 * and why it keeps routing right on every server, is written down in `scripts/catalog/mergeCatalogs.ts`.
 *
 * ```sh
 * node scripts/generate-catalog.ts                     # starts redis-server from PATH and Redis 8.0 / Valkey 8.1
 *                                                      # from scripts/install-servers.sh, each a throwaway server
 * node scripts/generate-catalog.ts /path/redis-server /path/redis8/redis-server /path/valkey-server
 * node scripts/generate-catalog.ts redis://127.0.0.1:6379 redis://127.0.0.1:6380 ...   # servers already running
 * ```
 *
 * Each argument is a server binary (started with the test kit's `LocalServer`, stopped afterwards) or a
 * `redis://` URL. The order of the arguments is the order entries list their servers in.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Redis, RedisNode } from "@effect-redis/client"
import { LocalServer } from "@effect-redis/testkit"
import { Console, Effect } from "effect"
import { execFileSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type { CatalogServer } from "../packages/client/src/internal/catalog/CatalogEntry.ts"
import { catalogFromServer, renderCatalogModule } from "./catalog/fromServer.ts"
import { mergeCatalogs, type ServerView } from "./catalog/mergeCatalogs.ts"

const catalogPath = fileURLToPath(new URL("../packages/client/src/internal/catalog/commands.generated.ts", import.meta.url))

/** The default servers: Redis 7.0 from PATH, then Redis 8.0 and Valkey 8.1 as the test matrix installs them. */
const defaultServers = (): ReadonlyArray<string> => {
  const installed = execFileSync("bash", [fileURLToPath(new URL("./install-servers.sh", import.meta.url)), "redis8", "valkey8"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"]
  })
  return ["redis-server", ...installed.split("\n").filter((line) => line.length > 0)]
}

/** Which server answers at `url`: Valkey reports `valkey_version` beside the `redis_version` it is compatible with. */
const serverOf = (info: string): CatalogServer => {
  const valkey = /valkey_version:([^\r\n]+)/.exec(info)?.[1]
  if (valkey !== undefined) return { flavour: "valkey", version: valkey }
  const redis = /redis_version:([^\r\n]+)/.exec(info)?.[1]
  if (redis === undefined) throw new Error("INFO server reports no redis_version: not a Redis or Valkey server")
  return { flavour: "redis", version: redis }
}

const viewOf = (url: string) =>
  Effect.gen(function*() {
    const info = yield* Redis.call(["COMMAND", "INFO"])
    const docs = yield* Redis.call(["COMMAND", "DOCS"])
    const server = serverOf(String(yield* Redis.call(["INFO", "server"])))
    return { server, entries: catalogFromServer(info, docs) } satisfies ServerView
  }).pipe(Effect.provide(RedisNode.layer({ url, protocol: 3 })))

const program = Effect.gen(function*() {
  const args = process.argv.slice(2)
  const servers = args.length > 0 ? args : defaultServers()
  const views: Array<ServerView> = []
  for (const server of servers) {
    const url = /^rediss?:\/\//.test(server) ? server : (yield* LocalServer.make({ executable: server })).url
    const view = yield* viewOf(url)
    yield* Console.log(`[catalog] ${view.entries.length} commands of ${view.server.flavour} ${view.server.version} (${server})`)
    views.push(view)
  }
  const entries = mergeCatalogs(views)
  writeFileSync(catalogPath, renderCatalogModule(entries, views.map((view) => view.server)))
  yield* Console.log(`[catalog] ${entries.length} commands in the union -> ${catalogPath}`)
  // docs/commands.md is rendered from the freshly written catalog, in a new process so the new module is loaded.
  execFileSync(process.execPath, [fileURLToPath(new URL("./generate-command-docs.ts", import.meta.url))], { stdio: "inherit" })
}).pipe(Effect.scoped)

NodeRuntime.runMain(program)
