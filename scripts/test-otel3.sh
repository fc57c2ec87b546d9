#!/usr/bin/env bash
# Runs the test suite against the OpenTelemetry 3.x SDK line (`@opentelemetry/sdk-trace` 3.x,
# `@opentelemetry/api` 1.10), which needs Node >= 22.15: installs compat/otel-3's pinned packages
# (with the ambient npm, whatever Node it runs on), fetches a Node 24 binary (scripts/node24.sh)
# and runs vitest under it with compat/otel-3/vitest.config.ts. Extra arguments go to vitest,
# e.g. `bash scripts/test-otel3.sh test/core/record.test.ts`. Exits with vitest's status.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
compat=compat/otel-3

if [[ ! -f node_modules/vitest/vitest.mjs ]]; then
  echo "test-otel3.sh: node_modules/vitest is missing; run npm ci in $repo first" >&2
  exit 1
fi

# Install when node_modules is missing or older than the lock (npm writes the hidden lockfile
# node_modules/.package-lock.json on every install). The 3.x packages declare engines
# node >= 22.15; they are only installed here, and run under Node 24 below.
stamp="$compat/node_modules/.package-lock.json"
if [[ ! -f "$stamp" || "$compat/package-lock.json" -nt "$stamp" || "$compat/package.json" -nt "$stamp" ]]; then
  npm ci --prefix "$compat" --engine-strict=false --no-audit --no-fund --loglevel=error
fi

NODE24="$(bash "$repo/scripts/node24.sh")"

version_of() {
  "$NODE24" -p "require('./$compat/node_modules/$1/package.json').version"
}
echo "node: $NODE24 ($("$NODE24" --version))"
echo "api: @opentelemetry/api $(version_of @opentelemetry/api)"
echo "sdk: @opentelemetry/sdk-trace $(version_of @opentelemetry/sdk-trace)," \
  "context-async-hooks $(version_of @opentelemetry/context-async-hooks)," \
  "sdk-node $(version_of @opentelemetry/sdk-node)"

export STEPMARK_OTEL_LINE=3
exec "$NODE24" node_modules/vitest/vitest.mjs run --config "$compat/vitest.config.ts" "$@"
