/**
 * What installing and importing the packages costs a user: tarball sizes, installed size of `@effect-redis/*` in
 * `node_modules`, and the time of `import("@effect-redis/cluster")` in plain Node (a fresh process each time,
 * median and spread of 10), measured on the packed packages installed with npm (scripts/packaging).
 *
 * ```sh
 * npm run bench -- --footprint      # or: node bench/package-footprint.ts
 * ```
 */
import { execFileSync } from "node:child_process"
import { readdirSync, rmSync, statSync } from "node:fs"
import { join } from "node:path"
import { packAndInstall } from "../scripts/packaging/packAndInstall.ts"

const sizeOf = (path: string): number => {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.size
  return readdirSync(path).reduce((sum, entry) => sum + sizeOf(join(path, entry)), 0)
}
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`

const consumer = packAndInstall({ withTypeScript: false })
try {
  console.log("| package | tarball | installed |")
  console.log("| --- | ---: | ---: |")
  for (const [name, tarball] of consumer.tarballs) {
    console.log(`| ${name} | ${kib(statSync(tarball).size)} | ${kib(sizeOf(join(consumer.dir, "node_modules", name)))} |`)
  }
  for (const [label, code] of [
    ["import('effect') alone", "await import('effect')"],
    ["import('@effect-redis/cluster')", "await import('@effect-redis/cluster')"],
    ["import('@effect-redis/client')", "await import('@effect-redis/client')"]
  ] as const) {
    const times: Array<number> = []
    for (let i = 0; i < 10; i++) {
      const out = execFileSync(process.execPath, [
        "--input-type=module",
        "-e",
        `const t = performance.now(); ${code}; console.log(performance.now() - t)`
      ], { cwd: consumer.dir, encoding: "utf8" })
      times.push(Number(out.trim()))
    }
    times.sort((a, b) => a - b)
    const median = (times[4]! + times[5]!) / 2
    console.log(`${label}: median ${median.toFixed(1)} ms (min ${times[0]!.toFixed(1)}, max ${times[9]!.toFixed(1)}) over 10 fresh processes`)
  }
} finally {
  rmSync(consumer.dir, { recursive: true, force: true })
}
