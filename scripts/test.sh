#!/usr/bin/env bash
# The whole suite: type-check every package, test and example, then run unit and integration tests
# (vitest's global set-up starts a local cluster and a standalone server; see test/global-setup.ts).
set -euo pipefail
echo "[test] type-checking"
pnpm exec tsc --noEmit -p tsconfig.json
echo "[test] vitest"
exec pnpm exec vitest run "$@"
