#!/usr/bin/env bash
# Type-checks every JavaScript and TypeScript example of the README and docs/*.md, as pasted,
# against the packed package and the versions of the frameworks the repository tests with: an
# example that calls something it never defines or imports, or misuses an API, fails here.
# (The quick start, the adapter examples and the Jaeger walkthrough are also run:
# check-quickstart.sh, check-adapter-examples.sh, check-walkthrough.sh.)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/packed-project.sh
source "$repo/scripts/lib/packed-project.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# What the examples import, at the versions the repository tests with.
versions="$(dev_versions \
  @opentelemetry/api \
  @opentelemetry/sdk-trace-base \
  @opentelemetry/context-async-hooks \
  @opentelemetry/sdk-node \
  @opentelemetry/exporter-trace-otlp-http \
  @opentelemetry/auto-instrumentations-node \
  express \
  kafkajs \
  @opentelemetry/instrumentation-kafkajs \
  fastify \
  koa \
  hono \
  @hono/node-server \
  @nestjs/common \
  @nestjs/core \
  reflect-metadata \
  rxjs \
  @grpc/grpc-js \
  typescript \
  @types/node \
  @types/express \
  @types/koa \
  pino \
  async-mutex)"
# shellcheck disable=SC2086 # word splitting of the package list is intended
packed_project "$work" module $versions
cd "$work"

# Every ```js / ```ts block, one file each, named after its page and first line there.
mkdir examples
for page in README.md SECURITY.md CONTRIBUTING.md $(cd "$repo" && ls docs/*.md); do
  awk -v dir="$work/examples" -v page="$page" '
    /^```(js|ts)$/ {
      ext = ($0 == "```ts") ? "ts" : "mjs"
      name = page; gsub(/[\/.]/, "_", name)
      f = sprintf("%s/%s_line%d.%s", dir, name, NR + 1, ext)
      next
    }
    f && /^```$/ { close(f); f = ""; next }
    f { print > f }' "$repo/$page"
done
count=$(ls examples | wc -l)
[[ "$count" -ge 12 ]] || { echo "check-doc-examples: expected >= 12 examples, found $count" >&2; exit 1; }

cat >tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "allowJs": true,
    "checkJs": true,
    "noEmit": true,
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "target": "es2022",
    "lib": ["es2022", "esnext.disposable"],
    "types": ["node"],
    "strict": true,
    "noImplicitAny": false,
    "experimentalDecorators": true,
    "emitDecoratorMetadata": true,
    "skipLibCheck": true
  },
  "include": ["examples"]
}
JSON
if ! npx tsc -p tsconfig.json >tsc.log 2>&1; then
  # examples/docs_http_md_line7.mjs(3,1): error ... → docs/http.md, block from line 7
  sed -E 's#^examples/([^(]+)_line([0-9]+)\.(mjs|ts)#\1 (block from line \2)#' tsc.log >&2
  echo "check-doc-examples: the examples above do not type-check as pasted" >&2
  exit 1
fi
echo "doc examples OK: $count blocks type-check as pasted against $(ls stepmark-otel-*.tgz)"
