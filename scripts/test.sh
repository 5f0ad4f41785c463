#!/usr/bin/env bash
# The whole suite: type-check every package, test and example once, then run the unit and integration tests on
# every server of the matrix, one server after the other (vitest's global set-up starts a local cluster and a
# standalone server of that kind; see test/global-setup.ts).
#
#   REDIS_SERVERS="redis7 redis8 valkey8"   the default matrix; pick a subset to run fewer
#   REDIS_SERVER=/path/to/redis-server      the binary used for redis7 (with-env.sh sets it)
#   extra arguments go to vitest (a file filter, -t "name"...)
#
# Redis 8.0 and Valkey 8.1 come from Debian trixie's packages (scripts/install-servers.sh, cached in .tools/).
# Ends with one line `N passed, N failed` over the whole matrix, and exits non-zero when any server failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
servers="${REDIS_SERVERS:-redis7 redis8 valkey8}"
mkdir -p .tmp
echo "[test] type-checking"
pnpm exec tsc --noEmit -p tsconfig.json || exit 1

declare -A binary
for server in $servers; do
  case "$server" in
    redis7) binary[$server]="${REDIS_SERVER:-redis-server}" ;;
    redis8|valkey8)
      if ! path="$(bash scripts/install-servers.sh "$server")"; then
        echo "[test] $server could not be installed (see above); set REDIS_SERVERS to run without it" >&2
        exit 1
      fi
      binary[$server]="$path" ;;
    *) echo "[test] unknown server '$server' in REDIS_SERVERS (known: redis7 redis8 valkey8)" >&2; exit 2 ;;
  esac
done

# count_results REPORT: "passed failed" from a vitest JSON report (and REPORT.failures listing the failed tests).
count_results() {
  node -e '
    const fs = require("node:fs"); const f = process.argv[1]
    if (!fs.existsSync(f)) { console.log("0 0 no-report"); process.exit() }
    const r = JSON.parse(fs.readFileSync(f, "utf8"))
    const failed = r.testResults.flatMap((file) => file.assertionResults.filter((t) => t.status === "failed").map((t) => file.name.replace(process.cwd() + "/", "") + " > " + t.fullName))
    fs.writeFileSync(f + ".failures", failed.map((line) => line + "\n").join(""))
    console.log(r.numPassedTests, r.numFailedTests + (r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? 1 : 0), "ok")' "$1"
}

summary=()
failed_servers=0
for server in $servers; do
  echo "[test] ===== $server: $("${binary[$server]}" --version | cut -d' ' -f1-3) ====="
  report=".tmp/vitest-$server.json"
  rm -f "$report"
  started=$(date +%s)
  REDIS_SERVER="${binary[$server]}" pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
  code=$?
  read -r passed failed _ <<<"$(count_results "$report")"
  if [ "$code" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  [ "$code" -ne 0 ] && failed_servers=$((failed_servers + 1))
  summary+=("$server $passed $failed $(( $(date +%s) - started ))")
  if [ -s "$report.failures" ]; then
    echo "[test] $server failures:"
    sed "s/^/[test]   [$server] /" "$report.failures"
  fi
done

# The packages as users install them (build, pack, npm install, consumers; the API report): once, on the first
# server of the matrix, and only for a whole run (no vitest arguments). SKIP_PACKAGING=1 leaves it out.
first_server="${servers%% *}"
if [ "${SKIP_PACKAGING:-0}" != "1" ] && [ "$#" -eq 0 ]; then
  echo "[test] ===== packages: build, pack, install, consumers ====="
  report=".tmp/vitest-packages.json"
  rm -f "$report"
  started=$(date +%s)
  REDIS_SERVER="${binary[$first_server]}" pnpm exec vitest run -c vitest.packaging.config.ts \
    --reporter=default --reporter=json --outputFile.json="$report"
  code=$?
  read -r passed failed _ <<<"$(count_results "$report")"
  if [ "$code" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  [ "$code" -ne 0 ] && failed_servers=$((failed_servers + 1))
  summary+=("packages $passed $failed $(( $(date +%s) - started ))")
fi

total_passed=0; total_failed=0
echo "[test] ===== matrix ====="
for line in "${summary[@]}"; do
  read -r server passed failed seconds <<<"$line"
  printf '[test] %-8s %5d passed, %3d failed  (%ss)\n' "$server" "$passed" "$failed" "$seconds"
  total_passed=$((total_passed + passed)); total_failed=$((total_failed + failed))
done
echo "$total_passed passed, $total_failed failed"
[ "$failed_servers" -eq 0 ]
