/**
 * Makes sure every redis-server the test kit starts dies with the Node process, and every folder it made is
 * removed, however Node ends.
 *
 * Three layers, because each covers a way of ending the others miss:
 * 1. Scopes: the normal path; LocalServer / LocalCluster finalizers kill their own pids and remove their
 *    folders, then unregister them here.
 * 2. A synchronous `exit` hook (normal exit, `process.exit`, uncaught exceptions) and SIGINT/SIGTERM/SIGHUP
 *    handlers that kill what is still registered and then re-raise the signal, so the default behaviour of
 *    the signal (terminating Node) is kept when nobody else handles it.
 * 3. A watchdog shell per Node process that holds the read end of a pipe from us. When Node dies in a way no
 *    JavaScript runs (SIGKILL, OOM kill, a crash in native code) the pipe reaches EOF and the watchdog kills
 *    the pids and removes the folders we last told it about.
 *
 * Only pids of processes we spawned are ever signalled; nothing is looked up by name.
 *
 * @internal
 */
import { type ChildProcess, spawn } from "node:child_process"
import { rmSync } from "node:fs"
import type { Writable } from "node:stream"

const livePids = new Set<number>()
const ownedDirectories = new Set<string>()
let hooksInstalled = false
let watchdog: Writable | undefined

/** Starts tracking a spawned child. Call as soon as the pid is known. */
export const registerChild = (child: ChildProcess): void => {
  const pid = child.pid
  if (pid === undefined) return
  installHooks()
  livePids.add(pid)
  tellWatchdog(`pid ${pid}`)
}

/** Stops tracking a child that has exited (its pid may be reused by the system from now on). */
export const unregisterChild = (pid: number): void => {
  if (livePids.delete(pid)) tellWatchdog(`unpid ${pid}`)
}

/** Starts tracking a folder to remove if Node ends before its owner removes it. */
export const registerDirectory = (path: string): void => {
  installHooks()
  ownedDirectories.add(path)
  tellWatchdog(`dir ${path}`)
}

/** Stops tracking a folder its owner has removed. */
export const unregisterDirectory = (path: string): void => {
  if (ownedDirectories.delete(path)) tellWatchdog(`undir ${path}`)
}

const killEverythingSync = (): void => {
  for (const pid of livePids) {
    try {
      process.kill(pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
  livePids.clear()
  for (const path of ownedDirectories) {
    try {
      rmSync(path, { recursive: true, force: true })
    } catch {
      // best effort while exiting
    }
  }
  ownedDirectories.clear()
}

const terminatingSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const

const installHooks = (): void => {
  if (hooksInstalled) return
  hooksInstalled = true
  process.on("exit", killEverythingSync)
  for (const signal of terminatingSignals) {
    const onSignal = (): void => {
      killEverythingSync()
      // If we are the only listener, Node would otherwise ignore the signal because a listener exists:
      // restore the default and raise it again so the process still terminates as the sender intended.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal)
        process.kill(process.pid, signal)
      }
    }
    process.on(signal, onSignal)
  }
  watchdog = startWatchdog()
}

// POSIX sh, no bash-isms. Ignores terminal signals (a Ctrl-C reaches the whole foreground process group, and
// the JavaScript handlers deal with that case); acts only on EOF, i.e. when every copy of the pipe's write end
// is gone, which happens exactly when the Node process is gone.
const watchdogScript = `
trap '' INT TERM HUP
pids=" "
dirs=" "
without() { out=" "; for x in $1; do [ "$x" = "$2" ] || out="$out$x "; done; printf '%s' "$out"; }
while read -r verb arg; do
  case "$verb" in
    pid) pids="$pids$arg " ;;
    unpid) pids=$(without "$pids" "$arg") ;;
    dir) dirs="$dirs$arg " ;;
    undir) dirs=$(without "$dirs" "$arg") ;;
  esac
done
for p in $pids; do kill -9 "$p" 2>/dev/null; done
for d in $dirs; do rm -rf -- "$d"; done
`

const startWatchdog = (): Writable | undefined => {
  try {
    const child = spawn("/bin/sh", ["-c", watchdogScript], {
      stdio: ["pipe", "ignore", "ignore"],
      // Its own process group: a Ctrl-C in the terminal must not take it down before it can do its job.
      detached: true
    })
    child.on("error", () => {
      watchdog = undefined
    })
    child.unref()
    const stdin = child.stdin
    if (stdin === null) return undefined
    stdin.on("error", () => {
      watchdog = undefined
    })
    // The pipe must not keep Node alive either; Node closing it is the whole point.
    ;(stdin as unknown as { unref?: () => void }).unref?.()
    return stdin
  } catch {
    return undefined
  }
}

const tellWatchdog = (line: string): void => {
  // The shell splits words on spaces, so a folder path with whitespace is left to layers 1 and 2.
  if (watchdog === undefined || /\s/.test(line.slice(line.indexOf(" ") + 1))) return
  watchdog.write(`${line}\n`)
}
