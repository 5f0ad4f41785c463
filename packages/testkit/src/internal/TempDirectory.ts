/**
 * Scoped temporary folders: created under the OS temp folder, removed when the scope closes, and registered
 * so they are removed even if the scope never gets the chance to close.
 *
 * @internal
 */
import { Effect, type Scope } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { registerDirectory, unregisterDirectory } from "./ChildProcessRegistry.ts"

/** Every folder the test kit creates starts with this, so leftovers are easy to recognise. */
export const tempDirectoryPrefix = "effect-redis-testkit-"

/** A fresh folder `<tmp>/effect-redis-testkit-<label>-XXXXXX`, removed with its contents when the scope closes. */
export const makeTempDirectory = (label: string): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const path = mkdtempSync(join(tmpdir(), `${tempDirectoryPrefix}${label}-`))
      registerDirectory(path)
      return path
    }),
    (path) =>
      Effect.sync(() => {
        rmSync(path, { recursive: true, force: true })
        unregisterDirectory(path)
      })
  )
