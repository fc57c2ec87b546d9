#!/usr/bin/env bash
# Builds and caches the Go interop peer of test/interop/interop.test.ts: test/interop/peer, a
# program on the official OpenTelemetry Go SDK (module versions pinned by its go.mod and go.sum).
#
#   bash scripts/interop.sh build   # build if not cached; prints the binary path (build time on stderr)
#   bash scripts/interop.sh path    # prints where the cached binary is (or would be); never builds
#
# The binary is cached at ~/.cache/stepmark-otel/interop-peer-<hash>/peer, the hash covering the
# peer's go.mod, go.sum and main.go: editing any of them makes the test skip (or fail with
# STEPMARK_REQUIRE_INTEROP=1) until the next build, rather than run a stale peer.
#
# Environment:
#   STEPMARK_INTEROP_CACHE  cache root (default ~/.cache/stepmark-otel)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$repo/test/interop/peer"
cache_root="${STEPMARK_INTEROP_CACHE:-$HOME/.cache/stepmark-otel}"

die() { echo "interop.sh: $*" >&2; exit 1; }

for f in go.mod go.sum main.go; do
  [[ -f "$src/$f" ]] || die "missing $src/$f"
done
hash="$(cd "$src" && sha256sum go.mod go.sum main.go | sha256sum | cut -c1-16)"
bin="$cache_root/interop-peer-$hash/peer"

build() {
  if [[ -x "$bin" ]]; then
    echo "interop.sh: peer cached" >&2
    echo "$bin"
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "the Go toolchain is not installed (needed to build the interop peer)"
  # The go directive of go.mod is the minimum (OTel Go v1.47 needs go1.26): say so now, and never
  # let Go try to download a newer toolchain (GOTOOLCHAIN=local below).
  local need have
  need="$(sed -n -E 's/^go ([0-9]+)\.([0-9]+).*/\1 \2/p' "$src/go.mod")"
  have="$(GOTOOLCHAIN=local go env GOVERSION | sed -E 's/^go([0-9]+)\.([0-9]+).*/\1 \2/')"
  read -r need_major need_minor <<<"$need"
  read -r major minor <<<"$have"
  if ((major < need_major || (major == need_major && minor < need_minor))); then
    die "Go $(GOTOOLCHAIN=local go env GOVERSION) is too old for the interop peer (needs go$need_major.$need_minor or later)"
  fi
  mkdir -p "$(dirname "$bin")"
  local start=$SECONDS tmp="$bin.tmp.$$"
  # -mod=readonly: build exactly the committed go.sum (no silent upgrades, no checksum-database
  # look-ups for modules it already lists); a go.sum gap fails here instead of being papered over.
  if ! (cd "$src" && GOTOOLCHAIN=local CGO_ENABLED=0 go build -mod=readonly -trimpath -o "$tmp" .); then
    rm -f "$tmp"
    die "go build of $src failed (if go.sum is incomplete: cd test/interop/peer && go mod tidy)"
  fi
  mv -f "$tmp" "$bin" # atomic: a concurrent test never sees half a binary
  echo "interop.sh: built peer with $(go env GOVERSION) in $((SECONDS - start))s" >&2
  echo "$bin"
}

case "${1:-}" in
  build) build ;;
  path) echo "$bin" ;;
  *)
    echo "usage: $0 build|path" >&2
    exit 2
    ;;
esac
