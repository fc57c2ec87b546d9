#!/usr/bin/env bash
# Runs the README's Jaeger walkthrough word for word (the ```sh block after "Walkthrough"),
# checking that the CLI printed order_42's decisions. Stops Jaeger however it ends.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
block="$(awk '/^Walkthrough/{w=1} w&&/^```sh/{f=1;next} f&&/^```/{exit} f' README.md)"
[[ -n "$block" ]] || { echo "check-walkthrough: walkthrough block not found in README.md" >&2; exit 1; }
# A run dir of its own: never reuse, nor stop, a Jaeger someone else started.
export STEPMARK_JAEGER_RUN="$(mktemp -d)"
trap 'bash scripts/jaeger.sh stop >/dev/null 2>&1 || true; rm -rf "$STEPMARK_JAEGER_RUN"' EXIT
out="$(bash -euo pipefail -c "$block" 2>&1)" || { printf '%s\n' "$out" | tail -40; exit 1; }
printf '%s\n' "$out" | grep -E 'jaeger started|Jaeger/OTLP|order_43' | head -8 || true
grep -qE 'trace [0-9a-f]{32}  fraud_check blocked' <<<"$out" || { printf '%s\n' "$out" | tail -30; echo "check-walkthrough: the CLI did not print order_43's rejection" >&2; exit 1; }
grep -qE 'order_43 +[0-9]+ trace\(s\)' <<<"$out" || { printf '%s\n' "$out" | tail -30; echo "check-walkthrough: the entity timeline is missing" >&2; exit 1; }
echo "walkthrough OK"
