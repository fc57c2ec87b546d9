#!/usr/bin/env bash
# Redraws docs/runtime-trace.png: runs `npm run example:runtime`, turns its capture (Chrome trace
# event format) into a page with the Trace Viewer of Catapult (the viewer chrome://tracing was;
# Perfetto's UI is not served on this machine's network), and screenshots it in Chromium.
#
#   CATAPULT_DIR=/path/to/catapult bash scripts/runtime-screenshot.sh
#
# CATAPULT_DIR: a checkout of github.com/catapult-project/catapult (its tracing/bin/trace2html
# runs on Python 3). STEPMARK_CHROMIUM: the Chromium to use (default /usr/bin/chromium).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
catapult="${CATAPULT_DIR:?set CATAPULT_DIR to a checkout of catapult-project/catapult}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$repo"
npm run --silent example:runtime -- --out "$work/stepmark-capture.json"
python3 "$catapult/tracing/bin/trace2html" "$work/stepmark-capture.json" --output "$work/capture.html" >/dev/null
cat >"$work/shot.mjs" <<JS
import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: process.env.STEPMARK_CHROMIUM ?? '/usr/bin/chromium', headless: true });
const page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
await page.goto('file://$work/capture.html');
await page.waitForSelector('tr-ui-timeline-view');
await page.waitForTimeout(2000); // the viewer draws its tracks on animation frames
await page.screenshot({ path: '$repo/docs/runtime-trace.png', clip: { x: 0, y: 0, width: 1400, height: 292 } });
await browser.close();
JS
cp "$work/shot.mjs" "$repo/.runtime-shot.mjs"
trap 'rm -rf "$work" "$repo/.runtime-shot.mjs"' EXIT
node "$repo/.runtime-shot.mjs"
echo "wrote docs/runtime-trace.png"
