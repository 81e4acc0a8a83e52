#!/usr/bin/env bash
# FluxStudio ops entry point. `./flux help` lists the commands.
#
# This bootstrap provides what the TypeScript CLI (packages/cli) needs and what only a shell does
# well: the pinned Node and pnpm, node modules, PostgreSQL/Redis/nginx/Chromium from Debian
# packages and local starts of PostgreSQL and Redis. Everything else (up, down, status, logs,
# restart, test, bench, migrate, doctor, secrets, probe …) is `node packages/cli/dist/main.js`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="$ROOT/.flux"
NODE_PIN=24.21.0
PNPM_PIN=12.21.0

export PM2_HOME="$STATE/pm2"
export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1 DO_NOT_TRACK=1
# What the bootstrap needs to provide PostgreSQL and Redis; every other setting is the CLI's.
DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/flux}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

bold=$'\033[1m'; dim=$'\033[2m'; reset=$'\033[0m'
[ -t 1 ] || { bold=''; dim=''; reset=''; }
step() { printf '%s==>%s %s\n' "$bold" "$reset" "$*"; }
note() { printf '    %s%s%s\n' "$dim" "$*" "$reset"; }
die() { printf 'flux: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- installs

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root to run: $*"; fi; }

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "missing $*; install it with your package manager (only Debian/Ubuntu are automated)"
  step "installing $* from Debian packages"
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Node >= 22 is required; older machines get the pinned official binary from the npm registry.
ensure_runtime() {
  command -v node >/dev/null && command -v npm >/dev/null || die "Node.js and npm are required; install Node.js (any version) first"
  local arch major
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) die "unsupported CPU $(uname -m)" ;; esac
  major="$(node -p 'process.versions.node.split(".")[0]')"
  local want=("pnpm@$PNPM_PIN") runtime="$STATE/runtime"
  [ "$major" -ge 22 ] || want+=("node-linux-$arch@$NODE_PIN")
  local have_node=1 have_pnpm=1
  [ "$major" -ge 22 ] || [ "$("$runtime/node_modules/node-linux-$arch/bin/node" -v 2>/dev/null)" = "v$NODE_PIN" ] || have_node=0
  [ -x "$runtime/node_modules/.bin/pnpm" ] || have_pnpm=0
  if [ "$have_node" = 0 ] || [ "$have_pnpm" = 0 ]; then
    step "installing the project runtime (${want[*]}) into .flux/runtime"
    mkdir -p "$runtime"
    [ -f "$runtime/package.json" ] || echo '{"private":true}' >"$runtime/package.json"
    npm install --prefix "$runtime" --no-audit --no-fund --loglevel=error "${want[@]}" >/dev/null
  fi
  if [ "$major" -lt 22 ]; then export PATH="$runtime/node_modules/node-linux-$arch/bin:$PATH"; fi
  export PATH="$runtime/node_modules/.bin:$ROOT/node_modules/.bin:$PATH"
  FLUX_NODE="$(command -v node)"; export FLUX_NODE
}

ensure_deps() {
  step "installing node modules (pnpm install --frozen-lockfile)"
  (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=append-only 2>&1 | sed 's/^/    /') ||
    die "pnpm install failed (above); if you changed a package.json, run 'pnpm install' to update pnpm-lock.yaml"
}

# `./flux down` stops what is recorded here: JSON data (.flux/started/<name>.json), not shell text.
record_started() { # name key=value...
  mkdir -p "$STATE/started"
  node -e 'const [file, ...pairs] = process.argv.slice(1);
    const record = Object.fromEntries(pairs.map((p) => { const i = p.indexOf("="); const v = p.slice(i + 1); return [p.slice(0, i), /^\d+$/.test(v) ? Number(v) : v]; }));
    require("node:fs").writeFileSync(file, JSON.stringify(record) + "\n");' "$STATE/started/$1.json" "${@:2}"
}

reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
url_host() { node -e 'const u=new URL(process.argv[1]);console.log(u.hostname.replace(/^\[|\]$/g,""))' "$1"; }
url_port() { node -e 'const u=new URL(process.argv[1]);console.log(u.port||process.argv[2])' "$1" "$2"; }
is_loopback() { [[ "$1" == 127.* || "$1" == localhost || "$1" == ::1 ]]; }

wait_for() { # host port what seconds
  local i
  for ((i = 0; i < $4 * 5; i++)); do reachable "$1" "$2" && return 0; sleep 0.2; done
  die "$3 did not come up on $1:$2"
}

ensure_postgres() {
  local host port
  host="$(url_host "$DATABASE_URL")"; port="$(url_port "$DATABASE_URL" 5432)"
  reachable "$host" "$port" && return 0
  is_loopback "$host" || die "PostgreSQL at $host:$port is unreachable; start it or fix DATABASE_URL"
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
  local cluster version
  cluster="$(ls -d /etc/postgresql/*/main 2>/dev/null | head -1 || true)"
  if [ -n "$cluster" ] && [ "$port" = 5432 ]; then
    version="$(basename "$(dirname "$cluster")")"
    step "starting the system PostgreSQL $version cluster"
    as_root pg_ctlcluster "$version" main start || true
    wait_for "$host" "$port" PostgreSQL 30
    as_root runuser -u postgres -- psql -qc "alter user postgres password null" >/dev/null 2>&1 || true
    record_started postgres kind=postgres-cluster "version=$version" cluster=main
  else
    local bin data="$STATE/pgdata" owner=() user=""
    bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
    step "starting a project PostgreSQL in .flux/pgdata on port $port"
    # initdb and pg_ctl refuse root: run them as the postgres user (argument arrays, no shell text).
    if [ "$(id -u)" = 0 ]; then user=postgres; owner=(runuser -u postgres --); fi
    if [ ! -f "$data/PG_VERSION" ]; then
      mkdir -p "$data"; [ -n "$user" ] && chown "$user" "$data"
      "${owner[@]}" "$bin/initdb" -D "$data" --auth=trust -U postgres >/dev/null
    fi
    "${owner[@]}" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -o "-p $port -k '$data' -c listen_addresses=127.0.0.1" -w start >/dev/null
    record_started postgres kind=postgres "dataDir=$data" "bin=$bin" ${user:+"user=$user"}
    wait_for "$host" "$port" PostgreSQL 30
  fi
}

ensure_redis() {
  local host port
  host="$(url_host "$REDIS_URL")"; port="$(url_port "$REDIS_URL" 6379)"
  reachable "$host" "$port" && return 0
  is_loopback "$host" || die "Redis at $host:$port is unreachable; start it or fix REDIS_URL"
  command -v redis-server >/dev/null || apt_install redis-server
  step "starting a project Redis on port $port (data in .flux/redis)"
  mkdir -p "$STATE/redis"
  redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --dir "$STATE/redis" \
    --pidfile "$STATE/redis/redis.pid" --logfile "$STATE/redis/redis.log" --appendonly yes --save "" >/dev/null
  record_started redis kind=redis "pidFile=$STATE/redis/redis.pid" "port=$port"
  wait_for "$host" "$port" Redis 15
}

ensure_nginx() { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_install nginx; export PATH="$PATH:/usr/sbin"; }
# What the suite drives besides the stack: Chromium (e2e), promtool (alert rules), ip (multi-host namespaces).
ensure_test_tools() {
  [ -x /usr/bin/chromium ] || apt_install chromium
  command -v promtool >/dev/null || apt_install prometheus
  command -v ip >/dev/null || apt_install iproute2
}

# The CLI itself (and what it imports) is built here; a failed build falls back to the last good one.
build_cli() {
  local cli="$ROOT/packages/cli/dist/main.js" log="$STATE/logs/cli-build.log"
  mkdir -p "$STATE/logs"
  if ! (cd "$ROOT" && turbo run build --filter=@flux/cli --output-logs=errors-only >"$log" 2>&1); then
    [ -f "$cli" ] || { sed 's/^/    /' "$log" | tail -30; die "building the flux CLI failed (above; full log: .flux/logs/cli-build.log)"; }
    note "the flux CLI did not build (.flux/logs/cli-build.log); using the previous build"
  fi
}

# ---------------------------------------------------------------- hand over to the CLI

cmd="${1:-help}"
case "$cmd" in
  up | test | bench | dev) ensure_runtime; ensure_deps; ensure_postgres; ensure_redis; ensure_nginx; [ "$cmd" != test ] || ensure_test_tools ;;
  migrate) ensure_runtime; ensure_deps; ensure_postgres ;;
  # Read-only and diagnostic commands never install or start anything (doctor checks the lockfile itself).
  *) ensure_runtime; [ -d "$ROOT/node_modules/.pnpm" ] || ensure_deps; export PATH="$PATH:/usr/sbin" ;;
esac
build_cli
export FLUX_NODE
exec node "$ROOT/packages/cli/dist/main.js" "$@"

