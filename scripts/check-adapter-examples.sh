#!/usr/bin/env bash
# Runs each JavaScript example of docs/adapters.md (the README's Express example is one of them)
# word for word against the packed package in an empty project: the example's server starts, a
# triggered request with the token gets its decision back in the X-Stepmark-Trace header, an
# untriggered one gets no header.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/packed-project.sh
source "$repo/scripts/lib/packed-project.sh"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The frameworks and OpenTelemetry at the versions the repository tests with.
versions="$(dev_versions \
  express \
  fastify \
  koa \
  hono \
  @hono/node-server \
  @opentelemetry/api \
  @opentelemetry/sdk-trace-base \
  @opentelemetry/context-async-hooks)"
# shellcheck disable=SC2086 # word splitting of the package list is intended
packed_project "$work" module $versions
cd "$work"

# Every ```js block of docs/adapters.md, one file each.
awk -v dir="$work" '
  /^```js$/ { n++; f = sprintf("%s/example%d.mjs", dir, n); next }
  f && /^```$/ { close(f); f = ""; next }
  f { print > f }' "$repo/docs/adapters.md"
count=$(ls example*.mjs 2>/dev/null | wc -l)
[[ "$count" -ge 4 ]] || { echo "check-adapter-examples: expected >= 4 examples, found $count" >&2; exit 1; }

# The OpenTelemetry set-up the examples assume: the quick start's provider, loaded first.
cat >otel.mjs <<'JS'
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { StepmarkSpanProcessor } from 'stepmark-otel';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new StepmarkSpanProcessor()] }));
JS

free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

for file in example*.mjs; do
  name="$(grep -o "from 'stepmark-otel/[a-z]*'" "$file" | head -1 | sed -E "s#.*/([a-z]+)'#\1#")"
  case "$name" in
    express | fastify | koa | hono) ;;
    *) echo "docs/adapters.md $name example: not run here (no HTTP; test/$name covers it, check-doc-examples.sh type-checks it)" && continue ;;
  esac
  port="$(free_port)"
  sed -i "s/3000/$port/" "$file"
  STEPMARK_TOKEN=readme-secret node --import ./otel.mjs "$file" >"$file.log" 2>&1 &
  pids+=("$!")
  url="http://127.0.0.1:$port/orders/42"
  [[ "$name" == koa ]] && url="http://127.0.0.1:$port/orders?id=42"
  for _ in $(seq 1 100); do curl -s -o /dev/null "$url" && break; sleep 0.1; done
  plain="$(curl -s -D - -o /dev/null "$url")"
  traced="$(curl -s -D - -o /dev/null -H 'X-Stepmark: true' -H 'X-Stepmark-Token: readme-secret' "$url")"
  if grep -qi '^x-stepmark-trace:' <<<"$plain" || ! grep -i '^x-stepmark-trace:' <<<"$traced" | grep -q '"order_42"'; then
    echo "check-adapter-examples: the $name example did not behave (log and headers below)" >&2
    cat "$file.log" >&2
    printf '%s\n---\n%s\n' "$plain" "$traced" >&2
    exit 1
  fi
  echo "docs/adapters.md $name example OK (port $port)"
done
