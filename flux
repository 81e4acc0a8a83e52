#!/usr/bin/env bash
# FluxStudio ops entry point. `./flux help` lists the commands.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="$ROOT/.flux"
NODE_PIN=24.21.0
PNPM_PIN=12.21.0

export PM2_HOME="$STATE/pm2"
export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1 DO_NOT_TRACK=1
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/flux}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export FLUX_HTTP_PORT="${FLUX_HTTP_PORT:-8080}"
export PUBLIC_URL="${PUBLIC_URL:-http://127.0.0.1:$FLUX_HTTP_PORT}"
SERVICES=(auth messaging collab)

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
    as_root su postgres -c "psql -qc \"alter user postgres password null\"" >/dev/null 2>&1 || true
    echo "pg_ctlcluster $version main stop" >"$STATE/started-postgres"
  else
    local bin data="$STATE/pgdata"
    bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
    step "starting a project PostgreSQL in .flux/pgdata on port $port"
    local run=(); [ "$(id -u)" = 0 ] && run=(su postgres -s /bin/bash -c)
    if [ ! -f "$data/PG_VERSION" ]; then
      mkdir -p "$data"; [ "$(id -u)" = 0 ] && chown postgres "$data"
      if [ ${#run[@]} -gt 0 ]; then "${run[@]}" "$bin/initdb -D '$data' --auth=trust -U postgres >/dev/null"; else "$bin/initdb" -D "$data" --auth=trust -U postgres >/dev/null; fi
    fi
    local cmd="$bin/pg_ctl -D '$data' -l '$data/server.log' -o \"-p $port -k '$data' -c listen_addresses=127.0.0.1\" -w start"
    if [ ${#run[@]} -gt 0 ]; then "${run[@]}" "$cmd" >/dev/null; else bash -c "$cmd" >/dev/null; fi
    echo "${run[*]:+${run[*]} }\"$bin/pg_ctl -D '$data' -m fast stop\"" >"$STATE/started-postgres"
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
  echo "kill \$(cat '$STATE/redis/redis.pid')" >"$STATE/started-redis"
  wait_for "$host" "$port" Redis 15
}

ensure_nginx() { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_install nginx; export PATH="$PATH:/usr/sbin"; }
ensure_chromium() { [ -x /usr/bin/chromium ] || apt_install chromium; }

build() {
  step "building (turbo; unchanged packages come from cache)"
  mkdir -p "$STATE/logs"
  if ! (cd "$ROOT" && turbo run build --output-logs=errors-only >"$STATE/logs/build.log" 2>&1); then
    sed 's/^/    /' "$STATE/logs/build.log" | tail -40
    die "build failed (full log: .flux/logs/build.log)"
  fi
  note "$(grep -E 'Tasks:|Cached:' "$STATE/logs/build.log" | tr -s ' ' | paste -sd ' ')"
}

migrate() { # [--reset]
  step "migrating $(echo "$DATABASE_URL" | sed 's/:[^:@/]*@/:***@/')${1:+ (fresh)}"
  node "$ROOT/migrations/dist/cli.js" --create-database "$@"
}

ensure_secrets() {
  [ "${NODE_ENV:-}" = production ] && return 0
  node -e 'import(process.argv[1]).then((m) => m.ensureDevSecrets())' "$ROOT/packages/server-kit/dist/secrets.js"
}

prepare() { ensure_runtime; ensure_deps; ensure_postgres; ensure_redis; ensure_nginx; build; ensure_secrets; }

# ---------------------------------------------------------------- gateway and processes

instances() { local n="FLUX_${1^^}_INSTANCES"; echo "${!n:-1}"; }
upstreams() { # service default-port
  local n port="${2}" list=() var="${1^^}_PORT"
  port="${!var:-$port}"
  for ((n = 0; n < $(instances "$1"); n++)); do list+=("127.0.0.1:$((port + n))"); done
  (IFS=,; echo "${list[*]}")
}

pm2() { node "$ROOT/node_modules/pm2/bin/pm2" "$@"; }

start_nginx() {
  local prefix="$STATE/nginx" conf
  conf="$(FLUX_AUTH_UPSTREAMS="$(upstreams auth 3001)" FLUX_MESSAGING_UPSTREAMS="$(upstreams messaging 3004)" \
    FLUX_COLLAB_UPSTREAMS="$(upstreams collab 4000)" node "$ROOT/infra/nginx/render.mjs" "$prefix")"
  nginx -t -q -p "$prefix" -c "$conf" || die "nginx rejected $conf"
  if [ -f "$prefix/nginx.pid" ] && kill -0 "$(cat "$prefix/nginx.pid")" 2>/dev/null; then
    step "reloading nginx"; nginx -p "$prefix" -c "$conf" -s reload 2>/dev/null
  else
    step "starting nginx on 127.0.0.1:$FLUX_HTTP_PORT"; nginx -p "$prefix" -c "$conf"
  fi
}

wait_healthy() {
  node - "$PUBLIC_URL" <<'JS'
const base = process.argv[2];
const paths = ['/api/auth/health', '/api/messages/health', '/collab/health'];
const deadline = Date.now() + 60_000;
const bad = new Map();
while (Date.now() < deadline) {
  bad.clear();
  await Promise.all(paths.map(async (p) => {
    const r = await fetch(base + p).catch((e) => ({ status: 0, text: async () => e.message }));
    if (r.status !== 200) bad.set(p, `${r.status} ${(await r.text()).slice(0, 120)}`);
  }));
  if (bad.size === 0) process.exit(0);
  await new Promise((r) => setTimeout(r, 500));
}
for (const [p, why] of bad) console.error(`    ${p}: ${why}`);
console.error('flux: services are not healthy; see ./flux logs');
process.exit(1);
JS
}

cmd_up() {
  prepare
  migrate
  mkdir -p "$STATE/logs"
  step "starting services with PM2 (${SERVICES[*]})"
  pm2 startOrReload "$ROOT/ecosystem.config.cjs" --update-env >/dev/null
  start_nginx
  step "waiting for health checks"
  wait_healthy
  step "FluxStudio is up: $PUBLIC_URL"
}

cmd_down() {
  ensure_runtime
  if [ -d "$PM2_HOME" ]; then step "stopping services"; pm2 kill >/dev/null 2>&1 || true; fi
  local prefix="$STATE/nginx"
  if [ -f "$prefix/nginx.pid" ] && kill -0 "$(cat "$prefix/nginx.pid")" 2>/dev/null; then
    step "stopping nginx"; nginx -p "$prefix" -c "$prefix/nginx.conf" -s quit 2>/dev/null || true
  fi
  for what in redis postgres; do
    if [ -f "$STATE/started-$what" ]; then step "stopping the $what flux started"; as_root bash -c "$(cat "$STATE/started-$what")" || true; rm -f "$STATE/started-$what"; fi
  done
  step "down"
}

cmd_status() {
  ensure_runtime
  pm2 status
  node -e 'for (const p of ["/api/auth/health","/api/messages/health","/collab/health"]) { const r = await fetch(process.argv[1] + p).catch(() => null); console.log(`${p.padEnd(22)} ${r ? r.status + " " + await r.text() : "unreachable"}`); }' "$PUBLIC_URL" --input-type=module
}

cmd_logs() { ensure_runtime; pm2 logs "${1:-}" --lines 100; }

cmd_restart() {
  local svc="${1:-}"
  [[ " ${SERVICES[*]} " == *" $svc "* ]] || die "usage: ./flux restart <auth|messaging|collab>"
  ensure_runtime
  step "restarting $svc"; pm2 restart "$svc" --update-env >/dev/null
  wait_healthy
  step "$svc restarted"
}

cmd_test() {
  prepare
  ensure_chromium
  local base="${DATABASE_URL%/*}"
  export DATABASE_URL="${TEST_DATABASE_URL:-$base/flux_test}"
  export REDIS_PREFIX="flux-test-$$:"
  migrate --reset
  step "running the test suite (vitest)"
  local results="$STATE/test-results.json" status=0
  rm -f "$results"
  (cd "$ROOT" && vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@") || status=$?
  # One plain closing line that any CI reader understands.
  [ -f "$results" ] && node -e 'const r = require(process.argv[1]); console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "$results"
  return "$status"
}

cmd_bench() {
  prepare
  step "running benchmarks (bench/)"
  cd "$ROOT" && pnpm --filter @flux/bench bench "$@"
}

usage() {
  cat <<USAGE
usage: ./flux <command>
  up                 install what is missing, migrate, build, start everything, print the URL
  down               stop everything flux started
  status             process list and health
  logs [service]     follow the logs (auth, messaging, collab)
  restart <service>  restart one service and wait until it is healthy
  test [vitest args] run the whole test suite against real PostgreSQL, Redis, nginx and Chromium
  bench              run the benchmarks against their baselines
  migrate            apply database migrations
USAGE
}

case "${1:-help}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  logs) shift; cmd_logs "$@" ;;
  restart) shift; cmd_restart "$@" ;;
  test) shift; cmd_test "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  migrate) ensure_runtime; ensure_postgres; build; migrate ;;
  help|-h|--help) usage ;;
  *) usage; exit 1 ;;
esac
