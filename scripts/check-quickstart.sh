#!/usr/bin/env bash
# Runs the README's quick start, word for word, against the packed package in an empty project:
# proves the published artifact, its exports map and the documented install line work together.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/packed-project.sh
source "$repo/scripts/lib/packed-project.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The first ```js block after '## Quick start' and the npm install line before it.
code="$(awk '/^## Quick start/{q=1} q&&/^```js/{f=1;next} f&&/^```/{exit} f' "$repo/README.md")"
install="$(awk '/^## Quick start/{q=1} q&&/^npm install /{print;exit}' "$repo/README.md")"
[[ -n "$code" && -n "$install" ]] || { echo "check-quickstart: quick start not found in README.md" >&2; exit 1; }

# The install line names stepmark-otel; here it comes from the tarball, the rest from the registry.
deps="$(sed -e 's/^npm install //' -e 's/stepmark-otel//' <<<"$install")"
# shellcheck disable=SC2086 # word splitting of the package list is intended
packed_project "$work" commonjs $deps
cd "$work"
printf '%s\n' "$code" >quickstart.mjs
out="$(node quickstart.mjs)"
node -e '
const t = JSON.parse(process.argv[1]);
const e = t.entities.order_42.events[0];
if (e.stage !== "fraud_check" || e.action !== "cleared" || e.meta.score !== 0.02) throw new Error("unexpected trace " + process.argv[1]);
if (t.spans[0].name !== "stepmark") throw new Error("no stepmark span");
' "$out"
# The CommonJS entry too.
node -e 'const s = require("stepmark-otel"); const e = require("stepmark-otel/export");
if (typeof s.StepmarkSpanProcessor !== "function" || typeof e.FileSink !== "function") process.exit(1);'
echo "quick start OK against $(ls stepmark-otel-*.tgz)"
