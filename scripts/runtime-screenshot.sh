#!/usr/bin/env bash
# Redraws docs/runtime-trace.png: the Perfetto UI (scripts/perfetto-ui.sh fetches it once) with
# the capture of `npm run example:runtime` loaded, A's blocked slice selected. The picture is the
# one test/browser/perfetto.browser.test.ts takes while it checks that capture in Perfetto's
# trace processor; this runs that test and copies it.
#
#   bash scripts/runtime-screenshot.sh
#
# STEPMARK_CHROMIUM: the Chromium to drive (default /usr/bin/chromium).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
rm -f artifacts/perfetto/runtime-trace.png
STEPMARK_REQUIRE_BROWSER=1 npx vitest run --config vitest.browser.config.ts test/browser/perfetto.browser.test.ts
cp artifacts/perfetto/runtime-trace.png docs/runtime-trace.png
echo "wrote docs/runtime-trace.png"
