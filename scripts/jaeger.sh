#!/usr/bin/env bash
# Builds, caches, starts and stops a real Jaeger v2 all-in-one binary on 127.0.0.1, without Docker.
#
#   bash scripts/jaeger.sh build    # build if not cached; prints the binary path
#   bash scripts/jaeger.sh start    # build if needed, start in the background, wait for health
#   bash scripts/jaeger.sh stop     # stop the instance started by `start`
#   bash scripts/jaeger.sh status   # "running pid=... query=... otlp=..." (exit 0) or "stopped" (exit 3)
#   bash scripts/jaeger.sh path     # prints where the cached binary is (or would be); never builds
#   bash scripts/jaeger.sh ui       # prints the built Jaeger UI folder `start` would serve (exit 0),
#                                   # or why it would serve only the placeholder page (stderr, exit 3)
#
# The binary is built from Jaeger's Go module with the Go toolchain: a throwaway module under
# ~/.cache/stepmark-otel/jaeger-build-<version>/ requires github.com/jaegertracing/jaeger at the
# pinned Go module version and `go build`s github.com/jaegertracing/jaeger/cmd/jaeger. The module
# path has no /v2, so Jaeger v2.x releases are only reachable by commit, as a Go pseudo-version
# (v1.76.1-0.<commit time>-<12 hex of the commit>); v1.76.0 is the last tag Go accepts and is the
# same code as Jaeger v2.13.0. The binary is cached at ~/.cache/stepmark-otel/jaeger-<version>/jaeger.
#
# A binary built this way embeds no UI: its query port serves a placeholder page unless the query
# extension's ui.assets_path names a folder holding a built Jaeger UI (index.html + static/).
# `start` looks for one (see STEPMARK_JAEGER_UI below), hands it to jaeger/config.yaml as
# STEPMARK_JAEGER_UI_ASSETS, and says which of the two it serves. A UI found outside the cache is
# copied into ~/.cache/stepmark-otel/jaeger-ui-<UI version>/, so that a clone anywhere on this
# machine (CI's) finds it too.
#
# Environment:
#   STEPMARK_JAEGER_VERSION     label of the pinned release, keys the cache (default below)
#   STEPMARK_JAEGER_GO_VERSION  Go module version of github.com/jaegertracing/jaeger to build
#                               (a tag or a full pseudo-version); defaults to the label's pin
#   STEPMARK_JAEGER_CACHE       cache root (default ~/.cache/stepmark-otel)
#   STEPMARK_JAEGER_RUN         run dir for pid file and log (default /tmp/stepmark-jaeger)
#   STEPMARK_JAEGER_CONFIG      config file (default <repo>/jaeger/config.yaml)
#   JAEGER_LISTEN_HOST, STEPMARK_JAEGER_{OTLP_HTTP,OTLP_GRPC,QUERY,QUERY_GRPC,HEALTH}_PORT
#                               listen addresses, see jaeger/config.yaml
#   STEPMARK_JAEGER_START_TIMEOUT  seconds to wait for health on start (default 60)
#   STEPMARK_JAEGER_UI          folder of a built Jaeger UI to serve, or `none` for the placeholder
#                               page; unset: <repo>/../shared/jaeger-ui when it is the UI of the
#                               pinned release, else the cached copy (see above), else the placeholder
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Pins: release label -> Go module version of github.com/jaegertracing/jaeger.
# The module proxy here answers only exact versions (no @<hash>, @main or @v2.x queries).
# v2.19+ (needed for query.attributes on GET /api/v3/traces) is not pinned yet: v2.20.0 is
# commit 798e4b0... at 2026-07-20T03:41:33Z, so once its full hash is known add e.g.
#   v2.20.0) echo "v1.76.1-0.20260720034133-<first 12 hex of the v2.20.0 commit>" ;;
# Tried and refused by the proxy (403): v2.17.0 = v1.76.1-0.20260330151126-b5be18b10053.
go_version_for() {
  case "$1" in
    v2.13.0) echo "v1.76.0" ;;
    *) return 1 ;;
  esac
}

# Release label -> version of its web UI (jaeger-ui tags v1.x; Jaeger v2.13.0 ships UI v1.76.0).
ui_version_for() {
  case "$1" in
    v2.13.0) echo "v1.76.0" ;;
    *) return 1 ;;
  esac
}

version="${STEPMARK_JAEGER_VERSION:-v2.13.0}"
if [[ -n "${STEPMARK_JAEGER_GO_VERSION:-}" ]]; then
  go_version="$STEPMARK_JAEGER_GO_VERSION"
elif ! go_version="$(go_version_for "$version")"; then
  echo "jaeger.sh: no Go module version pinned for Jaeger $version; set STEPMARK_JAEGER_GO_VERSION" >&2
  exit 2
fi

cache_root="${STEPMARK_JAEGER_CACHE:-$HOME/.cache/stepmark-otel}"
# Keyed by the release label, plus the Go module version when it is not the label's own pin.
cache_key="$version"
if pinned="$(go_version_for "$version" 2>/dev/null)" && [[ "$pinned" != "$go_version" ]]; then
  cache_key="$version-$go_version"
elif ! go_version_for "$version" >/dev/null 2>&1; then
  cache_key="$version-$go_version"
fi
bin_dir="$cache_root/jaeger-$cache_key"
bin="$bin_dir/jaeger"
build_dir="$cache_root/jaeger-build-$cache_key"
run_dir="${STEPMARK_JAEGER_RUN:-/tmp/stepmark-jaeger}"
pid_file="$run_dir/jaeger.pid"
log_file="$run_dir/jaeger.log"
config="${STEPMARK_JAEGER_CONFIG:-$repo/jaeger/config.yaml}"
ui_file="$run_dir/jaeger.ui"
ui_version="$(ui_version_for "$version" 2>/dev/null || true)"
ui_cache="${ui_version:+$cache_root/jaeger-ui-$ui_version}"
shared_ui="$(cd "$repo/.." && pwd)/shared/jaeger-ui"

export JAEGER_LISTEN_HOST="${JAEGER_LISTEN_HOST:-127.0.0.1}"
export STEPMARK_JAEGER_OTLP_HTTP_PORT="${STEPMARK_JAEGER_OTLP_HTTP_PORT:-4318}"
export STEPMARK_JAEGER_OTLP_GRPC_PORT="${STEPMARK_JAEGER_OTLP_GRPC_PORT:-4317}"
export STEPMARK_JAEGER_QUERY_PORT="${STEPMARK_JAEGER_QUERY_PORT:-16686}"
export STEPMARK_JAEGER_QUERY_GRPC_PORT="${STEPMARK_JAEGER_QUERY_GRPC_PORT:-16685}"
export STEPMARK_JAEGER_HEALTH_PORT="${STEPMARK_JAEGER_HEALTH_PORT:-13133}"
query_url="http://$JAEGER_LISTEN_HOST:$STEPMARK_JAEGER_QUERY_PORT"
otlp_url="http://$JAEGER_LISTEN_HOST:$STEPMARK_JAEGER_OTLP_HTTP_PORT"

die() { echo "jaeger.sh: $*" >&2; exit 1; }
# shellcheck source=lib/pidfile.sh
source "$repo/scripts/lib/pidfile.sh"

# --- the web UI ------------------------------------------------------------------------------
# Jaeger panics at start when assets_path has no index.html, so only complete folders qualify.
ui_usable() { [[ -f "$1/index.html" && -d "$1/static" ]]; }

# The jaeger-ui version a built UI folder carries in its bundle (`const version="1.76.0"`), or "".
ui_version_of() {
  local v
  v="$(grep -ohm1 -E 'const version="[0-9]+\.[0-9]+\.[0-9]+"' "$1"/static/*.js 2>/dev/null | head -n 1 || true)"
  v="${v#const version=\"}"
  [[ -n "$v" ]] && echo "v${v%\"}"
  return 0
}

# Copies the UI folder $1 into the cache, keyed by version, unless an identical copy is there.
cache_ui() {
  local src="$1"
  [[ -n "$ui_cache" && "$src" != "$ui_cache" ]] || return 0
  if [[ -d "$ui_cache" ]] && diff -rq "$src" "$ui_cache" >/dev/null 2>&1; then return 0; fi
  local tmp="$ui_cache.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$cache_root"
  # The source may be read-only; the copy must stay replaceable.
  if cp -R "$src" "$tmp" 2>/dev/null && chmod -R u+w "$tmp"; then
    rm -rf "$ui_cache"
    mv "$tmp" "$ui_cache"
  else
    rm -rf "$tmp"
    echo "jaeger.sh: note: could not cache the Jaeger UI in $ui_cache" >&2
  fi
}

# Sets ui_dir (the folder to serve, "" for the placeholder) and ui_why (why the placeholder).
resolve_ui() {
  ui_dir="" ui_why="" ui_label=""
  local have
  if [[ -n "${STEPMARK_JAEGER_UI:-}" ]]; then
    if [[ "$STEPMARK_JAEGER_UI" == none ]]; then
      ui_why="STEPMARK_JAEGER_UI=none"
      return 0
    fi
    ui_usable "$STEPMARK_JAEGER_UI" ||
      die "STEPMARK_JAEGER_UI=$STEPMARK_JAEGER_UI is not a built Jaeger UI (needs index.html and static/ in it)"
    ui_dir="$(cd "$STEPMARK_JAEGER_UI" && pwd)"
    have="$(ui_version_of "$ui_dir")"
    ui_label="$have"
    if [[ -n "$ui_version" && "$have" == "$ui_version" ]]; then
      cache_ui "$ui_dir"
    elif [[ -n "$ui_version" ]]; then
      echo "jaeger.sh: note: STEPMARK_JAEGER_UI is Jaeger UI ${have:-of unknown version}, Jaeger $version ships $ui_version; serving it anyway" >&2
    fi
    return 0
  fi
  if ui_usable "$shared_ui"; then
    have="$(ui_version_of "$shared_ui")"
    if [[ -n "$ui_version" && "$have" == "$ui_version" ]]; then
      ui_dir="$shared_ui" ui_label="$have"
      cache_ui "$ui_dir"
      return 0
    fi
    echo "jaeger.sh: note: $shared_ui is Jaeger UI ${have:-of unknown version}, not ${ui_version:-a version pinned for Jaeger $version}; not using it" >&2
  fi
  if [[ -n "$ui_cache" ]] && ui_usable "$ui_cache"; then
    ui_dir="$ui_cache" ui_label="$ui_version"
    return 0
  fi
  ui_why="no built Jaeger UI${ui_version:+ $ui_version} in \$STEPMARK_JAEGER_UI, $shared_ui or ${ui_cache:-the cache}"
}

# One plain line on what the query port serves.
say_ui() {
  if [[ -n "$ui_dir" ]]; then
    echo "Jaeger UI${ui_label:+ $ui_label}: open $query_url/ (assets: $ui_dir)"
  else
    echo "Jaeger UI: NOT available ($ui_why); $query_url/ serves only Jaeger's placeholder page." \
      "Set STEPMARK_JAEGER_UI to a built Jaeger UI folder, see docs/jaeger-ui.md"
  fi
}

build() {
  if [[ -x "$bin" ]]; then
    echo "$bin"
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "the Go toolchain is not installed (needed to build Jaeger $version)"
  # Jaeger v2.13 (module v1.76.0) needs Go 1.24 or later: say so now, not after minutes of building.
  local have
  have="$(go env GOVERSION | sed -E 's/^go([0-9]+)\.([0-9]+).*/\1 \2/')"
  read -r major minor <<<"$have"
  if ((major < 1 || (major == 1 && minor < 24))); then
    die "Go $(go env GOVERSION) is too old to build Jaeger $version (needs go1.24 or later)"
  fi
  mkdir -p "$build_dir" "$bin_dir"
  local module="github.com/jaegertracing/jaeger"
  local go_line
  go_line="$(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')"
  cat >"$build_dir/go.mod" <<EOF
module stepmark-otel/jaeger-build

go $go_line

require $module $go_version
EOF
  : >"$build_dir/go.sum"
  local log="$build_dir/build.log" start=$SECONDS
  {
    echo "== $(date -u +%FT%TZ) building Jaeger $version ($module@$go_version) with $(go env GOVERSION)"
    # Resolve the module (adds its own go.sum lines), then seed go.sum with Jaeger's go.sum:
    # MVS picks exactly Jaeger's dependency versions, so every checksum the build needs is
    # already verified upstream and the checksum database is not consulted for them.
    (cd "$build_dir" && go mod download -json "$module@$go_version" >"$build_dir/module.json")
  } >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "could not fetch $module@$go_version (log: $log)"; }
  local src
  src="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$build_dir/module.json" | head -n 1)"
  [[ -n "$src" && -f "$src/go.sum" ]] || die "module source for $module@$go_version not found (log: $log)"
  (cd "$build_dir" && go mod download "$module") >>"$log" 2>&1 || true
  cat "$src/go.sum" >>"$build_dir/go.sum"
  # Commit hash (when the proxy reports it) and commit time, stamped into `jaeger version`.
  (cd "$build_dir" && go list -m -json "$module@$go_version" >"$build_dir/info.json") 2>>"$log" || true
  local commit date
  commit="$(sed -n 's/^[[:space:]]*"Hash": "\(.*\)",*$/\1/p' "$build_dir/info.json" | head -n 1)"
  date="$(sed -n 's/^[[:space:]]*"Time": "\(.*\)",*$/\1/p' "$build_dir/info.json" | head -n 1)"
  local pkg="$module/internal/version"
  if ! (
    cd "$build_dir"
    CGO_ENABLED=0 go build -mod=mod -trimpath \
      -ldflags "-s -w -X $pkg.latestVersion=$version -X $pkg.commitSHA=${commit:-$go_version} -X $pkg.date=${date:-unknown}" \
      -o "$bin.tmp" "$module/cmd/jaeger"
  ) >>"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -f "$bin.tmp"
    die "go build of $module/cmd/jaeger@$go_version failed (log: $log)"
  fi
  mv -f "$bin.tmp" "$bin"
  echo "== built in $((SECONDS - start))s: $bin" >>"$log"
  echo "$bin"
}

running_pid() { pid_running "$pid_file"; }

start() {
  local pid
  if pid="$(running_pid)"; then
    echo "jaeger already running pid=$pid query=$query_url otlp=$otlp_url ui=$(cat "$ui_file" 2>/dev/null || echo unknown)"
    return 0
  fi
  [[ -f "$config" ]] || die "config not found: $config"
  resolve_ui
  # Refuse to start over something else listening on our ports: the health poll below would
  # otherwise be answered by that other process.
  local port
  for port in "$STEPMARK_JAEGER_QUERY_PORT" "$STEPMARK_JAEGER_OTLP_HTTP_PORT" "$STEPMARK_JAEGER_OTLP_GRPC_PORT" \
    "$STEPMARK_JAEGER_QUERY_GRPC_PORT" "$STEPMARK_JAEGER_HEALTH_PORT"; do
    if (exec 3<>"/dev/tcp/$JAEGER_LISTEN_HOST/$port") 2>/dev/null; then
      die "port $JAEGER_LISTEN_HOST:$port is already in use (another Jaeger? try: $0 stop, or set the STEPMARK_JAEGER_*_PORT variables)"
    fi
  done
  build >/dev/null
  mkdir -p "$run_dir"
  : >"$log_file"
  echo "${ui_dir:-placeholder}" >"$ui_file"
  # Empty: jaeger/config.yaml's assets_path is empty and Jaeger serves its embedded placeholder.
  STEPMARK_JAEGER_UI_ASSETS="$ui_dir" nohup "$bin" --config "$config" >>"$log_file" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pid_file"
  local timeout="${STEPMARK_JAEGER_START_TIMEOUT:-60}" deadline=$((SECONDS + ${STEPMARK_JAEGER_START_TIMEOUT:-60}))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pid_file" "$ui_file"
      tail -n 30 "$log_file" >&2
      die "jaeger exited during start (log: $log_file)"
    fi
    if curl -fsS -o /dev/null --max-time 2 "$query_url/api/v3/services" 2>/dev/null &&
      curl -fsS -o /dev/null --max-time 2 "http://$JAEGER_LISTEN_HOST:$STEPMARK_JAEGER_HEALTH_PORT/status" 2>/dev/null &&
      kill -0 "$pid" 2>/dev/null; then
      echo "jaeger started pid=$pid query=$query_url otlp=$otlp_url log=$log_file ui=${ui_dir:-placeholder}"
      say_ui
      return 0
    fi
    sleep 0.5
  done
  kill "$pid" 2>/dev/null || true
  rm -f "$pid_file" "$ui_file"
  tail -n 30 "$log_file" >&2
  die "jaeger did not become healthy within ${timeout}s (log: $log_file)"
}

stop() {
  pid_stop "$pid_file" jaeger
  rm -f "$ui_file"
}

status() {
  pid_status "$pid_file" jaeger \
    "version=$version query=$query_url otlp=$otlp_url ui=$(cat "$ui_file" 2>/dev/null || echo unknown)"
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  path) echo "$bin" ;;
  ui)
    resolve_ui
    if [[ -n "$ui_dir" ]]; then
      echo "$ui_dir"
    else
      echo "jaeger.sh: $ui_why" >&2
      exit 3
    fi
    ;;
  *)
    echo "usage: $0 build|start|stop|status|path|ui" >&2
    exit 2
    ;;
esac
