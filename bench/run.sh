#!/usr/bin/env bash
# npm run bench [-- --quick] [-- --only core,reload,ai,observability,access] [-- --reps N --targets direct,nginx,node-minimal,louailink]
# louailink side by side with nginx and a minimal Node proxy on 127.0.0.1 (see bench/README.md).
# Installs nginx, the nginx lua module and wrk when missing, then runs bench/run.ts on CPU 0 with Node 24.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODE="$ROOT/node_modules/.bin/node"
[ -x "$NODE" ] || { echo "bench: $NODE missing; run npm install first" >&2; exit 1; }
[ "$(uname -s)" = Linux ] || { echo "bench: Linux only (/proc, taskset)" >&2; exit 1; }

missing=()
command -v nginx >/dev/null || missing+=(nginx)
[ -e /usr/share/nginx/modules/ngx_http_lua_module.so ] || missing+=(libnginx-mod-http-lua)
command -v wrk >/dev/null || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  # Debian's nginx package may try to start the service; this benchmark never uses it.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" ||
    { $SUDO apt-get update && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"; }
fi
command -v taskset >/dev/null || { echo "bench: taskset (util-linux) missing" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "bench: needs at least 2 CPUs (proxy on CPU 1, load on CPU 0)" >&2; exit 1; }
ulimit -n 20000 2>/dev/null || true

WORK=$(mktemp -d "${TMPDIR:-/tmp}/louai-bench-XXXXXX")
cleanup() {
  # Backstop: the driver stops its process groups itself; this catches a driver that died hard.
  if [ -s "$WORK/pgids" ]; then
    while read -r pg; do [ -n "$pg" ] && kill -KILL -- "-$pg" 2>/dev/null || true; done < "$WORK/pgids"
  fi
  # Keep the results, drop the nginx prefixes and logs of passing runs.
  rm -rf "$WORK/mock" "$WORK/nginx" "$WORK"/*-config "$WORK/louailink-src" "$WORK"/req-*.json
}
DRIVER=""
stop() { [ -n "$DRIVER" ] && kill -TERM "$DRIVER" 2>/dev/null; wait "$DRIVER" 2>/dev/null; exit 130; }
trap cleanup EXIT
trap stop INT TERM
cd "$ROOT"
# In the background so that a TERM to this script reaches the driver at once (bash defers traps until a
# foreground child ends); the driver stops every process group it started.
taskset -c 0 "$NODE" "$ROOT/bench/run.ts" --work "$WORK" "$@" &
DRIVER=$!
wait "$DRIVER"
