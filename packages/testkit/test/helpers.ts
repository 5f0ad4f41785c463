/**
 * Small helpers the test kit's own tests share: an independent admin connection (so checks do not go
 * through the cluster object under test), and process / folder liveness probes.
 */
import { Effect, type Scope } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { AdminConnection, type AdminEndpoint, type RespReply } from "../src/index.ts"

/** A connection of the test's own, closed with the test's scope. */
export const connectTo = (endpoint: AdminEndpoint): Effect.Effect<AdminConnection, never, Scope.Scope> =>
  Effect.acquireRelease(Effect.sync(() => new AdminConnection(endpoint)), (connection) => Effect.sync(() => connection.close()))

/**
 * Whether a process with this pid is alive. A zombie counts as dead: it has released everything (ports,
 * memory) and only waits for its parent to collect its exit status; when the test kit's own Node process
 * died, that parent is init, which may take its time.
 */
export const isProcessAlive = (pid: number): boolean => {
  if (existsSync("/proc/self/stat")) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
      const state = stat.charAt(stat.lastIndexOf(")") + 2)
      return state !== "Z"
    } catch {
      return false
    }
  }
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Whether a folder still exists. */
export const folderExists = (path: string): boolean => existsSync(path)

/** `field:value` lines of an INFO-style reply. */
export const infoField = (reply: RespReply, field: string): string | undefined =>
  new RegExp(`^${field}:(.*)$`, "m").exec(String(reply))?.[1]?.trim()

/** Polls a synchronous condition on the wall clock (tests run under the real clock via `it.live`). */
export const eventually = (condition: () => boolean, timeoutMs = 5000): Effect.Effect<boolean> =>
  Effect.promise(async () => {
    const deadline = Date.now() + timeoutMs
    while (!condition()) {
      if (Date.now() > deadline) return false
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return true
  })
