#!/usr/bin/env bash
# A newcomer's first minutes, word for word: in an empty project, the README's install line of
# "Set-up in one line" and its "On demand over HTTP, safely" server, started with
# `node --import stepmark-otel/register` and nothing else configured. A triggered, authorized
# request must get its decision printed on the console (a timeline) and back in the response
# header; an untriggered one neither. (That nothing is sent anywhere is test/register's job.)
# The same server in CommonJS is started with `node --require stepmark-otel/register` too.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/packed-project.sh
source "$repo/scripts/lib/packed-project.sh"
work="$(mktemp -d)"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

install="$(awk '/^## Set-up in one line/{q=1} q&&/^npm install /{print;exit}' "$repo/README.md")"
server="$(awk '/^## On demand over HTTP, safely/{q=1} q&&/^```js$/{f=1;next} f&&/^```$/{exit} f' "$repo/README.md")"
[[ -n "$install" && -n "$server" ]] || { echo "check-register: set-up or HTTP example not found in README.md" >&2; exit 1; }

# The install line names stepmark-otel; here it comes from the tarball, the rest from the registry.
deps="$(sed -e 's/^npm install //' -e 's/stepmark-otel//' <<<"$install")"
# shellcheck disable=SC2086 # word splitting of the package list is intended
packed_project "$work" module $deps
cd "$work"

port="$(node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
printf '%s\n' "$server" | sed "s/3000/$port/" >server.mjs
# docs/register.md: "A CommonJS application uses --require instead". The same server, in CommonJS.
cat >server.cjs <<CJS
const http = require('node:http');
const { recordEntity } = require('stepmark-otel');
const { headerTrigger, tokenAuthorizer, withStepmark } = require('stepmark-otel/http');

http
  .createServer(
    withStepmark(
      (req, res) => {
        recordEntity('order_42', 'fraud_check', 'cleared', { score: 0.02 });
        res.end('accepted');
      },
      { trigger: headerTrigger('X-Stepmark'), authorize: tokenAuthorizer(), responseHeader: 'X-Stepmark-Trace' },
    ),
  )
  .listen($port);
CJS

# Runs the server with `node <flag> stepmark-otel/register <file>`, sends an untriggered and a
# triggered request, and checks what the README promises.
check() {
  local flag="$1" file="$2" plain traced
  # Only the token the example asks for: no OTEL_* or STEPMARK_* variable of the caller leaks in.
  env -i PATH="$PATH" HOME="$HOME" STEPMARK_TOKEN=first-minutes-secret \
    node "$flag" stepmark-otel/register "$file" >out.log 2>err.log &
  pid=$!
  url="http://127.0.0.1:$port/"
  for _ in $(seq 1 100); do curl -s -o /dev/null "$url" && break; sleep 0.1; done
  plain="$(curl -s -D - -o /dev/null "$url")"
  traced="$(curl -s -D - -o /dev/null -H 'X-Stepmark: true' -H 'X-Stepmark-Token: first-minutes-secret' "$url")"
  kill -TERM "$pid"
  wait "$pid" || true
  pid=""
  fail() {
    echo "check-register ($flag $file): $1" >&2
    printf -- '--- stdout\n%s\n--- stderr\n%s\n--- untriggered\n%s\n--- triggered\n%s\n' \
      "$(cat out.log)" "$(cat err.log)" "$plain" "$traced" >&2
    exit 1
  }
  grep -Eq '^  [0-9:.]{12}  order_42  fraud_check cleared  score=0\.02$' out.log ||
    fail "the decision was not printed on the console"
  [[ "$(grep -c '^trace [0-9a-f]\{32\}' out.log)" == 1 ]] || fail "expected exactly one traced request"
  grep -i '^x-stepmark-trace:' <<<"$traced" | grep -q '"order_42"' || fail "no trace in the response header"
  ! grep -qi '^x-stepmark-trace:' <<<"$plain" || fail "an untriggered request got a trace"
  [[ ! -s err.log ]] || fail "something was printed on stderr"
  echo "first minutes OK: node $flag stepmark-otel/register $file, with nothing configured, against $(ls stepmark-otel-*.tgz)"
  cat out.log
}
check --import server.mjs
check --require server.cjs
