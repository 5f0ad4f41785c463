#!/usr/bin/env bash
# Installs the test servers that Debian bookworm's apt does not have: Redis 8.0 and Valkey 8.1, from Debian
# trixie's packages, extracted into .tools/servers/ (no change to the system: a private apt state and sources list,
# `apt-get download` and `dpkg-deb -x`). Trixie's binaries need trixie's libc, so their libraries are extracted
# beside them and a small wrapper starts the server through the extracted loader.
#
# Usage: bash scripts/install-servers.sh redis8|valkey8 ...
# Prints nothing on success but the wrappers' paths (one per line, in argument order) on stdout.
# Cached: a flavour whose wrapper answers --version is not fetched again.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="$root/.tools/servers"
log() { printf '[servers] %s\n' "$*" >&2; }

# The packages a trixie redis-server/valkey-server needs at run time (beyond the server itself).
RUNTIME_LIBS=(libc6 libssl3t64 libjemalloc2 liblzf1 libatomic1 libsystemd0 libstdc++6 libgcc-s1 libcap2
  libgcrypt20 liblz4-1 liblzma5 libzstd1 libgpg-error0)

apt_dir="$base/apt"
apt_opts=()
prepare_apt() {
  [ "${#apt_opts[@]}" -gt 0 ] && return 0
  mkdir -p "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/etc/sources.list.d" \
    "$apt_dir/etc/preferences.d"
  cat > "$apt_dir/etc/sources.list" <<LIST
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
LIST
  apt_opts=(-o "Dir::State=$apt_dir/state" -o "Dir::Cache=$apt_dir/cache"
    -o "Dir::Etc::SourceList=$apt_dir/etc/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/etc/sources.list.d"
    -o "Dir::Etc::Preferences=$apt_dir/etc/preferences" -o "Dir::Etc::PreferencesParts=$apt_dir/etc/preferences.d"
    -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root" -o "APT::Get::List-Cleanup=0" -o "Acquire::Languages=none")
  if ! command -v apt-get >/dev/null 2>&1; then
    log "apt-get is not available here: Redis 8.0 / Valkey 8.1 are fetched from Debian trixie's packages and need it."
    log "Install those servers yourself and point REDIS_SERVER_REDIS8 / REDIS_SERVER_VALKEY8 at them."
    return 1
  fi
  log "apt-get update (Debian trixie, private state in .tools/servers/apt)"
  if ! apt-get "${apt_opts[@]}" update -qq >&2; then
    log "could not read Debian trixie's package lists (offline, or the Debian registry unreachable)."
    log "Redis 8.0 / Valkey 8.1 cannot be installed; set REDIS_SERVERS=redis7 to test on Redis 7.0 only."
    return 1
  fi
}

install_flavour() { # install_flavour NAME SERVER_PACKAGES... -- BINARY ARGV0
  local name="$1"; shift
  local packages=()
  while [ "$1" != "--" ]; do packages+=("$1"); shift; done
  shift
  local binary="$1" argv0="$2"
  local dir="$base/$name" wrapper="$base/$name/$argv0"
  if [ -x "$wrapper" ] && "$wrapper" --version >/dev/null 2>&1; then
    printf '%s\n' "$wrapper"; return 0
  fi
  prepare_apt
  rm -rf "$dir"; mkdir -p "$dir/debs" "$dir/root"
  log "fetching ${packages[*]} and their libraries from Debian trixie"
  (cd "$dir/debs" && apt-get "${apt_opts[@]}" download "${packages[@]}" "${RUNTIME_LIBS[@]}" >&2) || {
    log "apt-get download failed for $name (see above): offline, or a package was renamed in trixie."
    return 1
  }
  for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
  rm -rf "$dir/debs"
  local loader="$dir/root/usr/lib64/ld-linux-x86-64.so.2"
  [ -x "$loader" ] || loader="$dir/root/lib64/ld-linux-x86-64.so.2"
  cat > "$wrapper" <<WRAP
#!/bin/sh
# $name from Debian trixie, run through trixie's own loader and libraries (this machine's libc is older).
exec "$loader" --argv0 $argv0 --library-path "$dir/root/usr/lib/x86_64-linux-gnu:$dir/root/lib/x86_64-linux-gnu" "$dir/root/usr/bin/$binary" "\$@"
WRAP
  chmod +x "$wrapper"
  if ! "$wrapper" --version >&2; then
    log "$name was extracted but does not start (see above)."
    return 1
  fi
  printf '%s\n' "$wrapper"
}

for flavour in "$@"; do
  case "$flavour" in
    redis8) install_flavour redis8 redis-server redis-tools -- redis-check-rdb redis-server ;;
    valkey8) install_flavour valkey8 valkey-server valkey-tools -- valkey-check-rdb valkey-server ;;
    *) log "unknown server flavour '$flavour' (known: redis8, valkey8)"; exit 2 ;;
  esac
done
