// The viewer page (stepmark-otel/viewer) in headless Chromium: time to first render of 10,000
// decisions and 1,000 spans, against the 1 s aim and against the checkout demo's small page loaded
// the same way in the same run; a search over those decisions, against that first render; and
// renderHtml in Node, against JSON.stringify of the same traces. Needs Chromium (/usr/bin/chromium,
// or STEPMARK_CHROMIUM); without it, says so and measures nothing.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { renderHtml } from 'stepmark-otel/viewer';
import { bigTrace } from '../test/viewer/bigTrace.js';
import { ORDER_42, ORDER_43 } from '../test/viewer/checkoutTraces.js';
import { finish, report } from './measure.js';

const CHROMIUM = process.env.STEPMARK_CHROMIUM ?? '/usr/bin/chromium';
const URL = 'http://viewer.stepmark.test/page.html';
const LOADS = 5;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
};

/** Loads `html` in a fresh page; milliseconds from navigation start to the first render. */
async function firstRender(browser: Browser, html: string): Promise<{ ms: number; page: Page }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/*', (route) =>
    route.request().url() === URL
      ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html })
      : route.abort(),
  );
  await page.goto(URL);
  await page.waitForSelector('html[data-rendered]', { state: 'attached', timeout: 60_000 });
  if (errors.length > 0) throw new Error(`the page failed: ${errors.join('; ')}`);
  const ms = await page.evaluate(
    () => performance.getEntriesByName('stepmark-viewer-rendered')[0]?.startTime ?? Number.NaN,
  );
  return { ms, page };
}

/** Median of `LOADS` first renders, each in a new page. */
async function medianRender(browser: Browser, html: string): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const { ms, page } = await firstRender(browser, html);
    samples.push(ms);
    await page.close();
  }
  return median(samples);
}

/** Milliseconds the page took to apply each search (the debounce excluded), median. */
async function medianSearch(page: Page, queries: string[]): Promise<number> {
  for (const query of queries) {
    await page.locator('#search').fill(query);
    await page.waitForSelector(`html[data-search="${query}"]`, { state: 'attached' });
  }
  const samples = await page.evaluate(() =>
    performance.getEntriesByName('stepmark-viewer-search').map((m) => m.duration),
  );
  return median(samples);
}

/** Median milliseconds of `fn` over 5 runs, after one warm-up run. */
function medianMs(fn: () => unknown): number {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

if (!existsSync(CHROMIUM)) {
  console.log(
    `skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set STEPMARK_CHROMIUM)`,
  );
} else {
  const big = [bigTrace({ entities: 2_000, decisions: 10_000, spans: 1_000 })];
  const bigHtml = renderHtml(big);
  const smallHtml = renderHtml([ORDER_42, ORDER_43]);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  try {
    const smallMs = await medianRender(browser, smallHtml);
    const bigMs = await medianRender(browser, bigHtml);
    report(
      'first render, 10,000 decisions + 1,000 spans (headless Chromium)',
      bigMs / 1_000,
      'the 1 s aim',
      { max: 1 },
      `${bigMs.toFixed(0)} ms from navigation start, page load included; the checkout demo's page ${smallMs.toFixed(0)} ms (${(bigMs / smallMs).toFixed(1)}x); ${(bigHtml.length / 1e6).toFixed(1)} MB of HTML`,
    );
    const { ms, page } = await firstRender(browser, bigHtml);
    const searchMs = await medianSearch(page, ['order_1019', 'c_7', 'blocked', 'xx', 'step=3']);
    report(
      'search over 10,000 decisions (applied, after the 150 ms debounce)',
      searchMs / ms,
      'first render of the page',
      { max: 1 },
      `${searchMs.toFixed(1)} ms vs ${ms.toFixed(0)} ms`,
    );
  } finally {
    await browser.close();
  }
  const renderMs = medianMs(() => renderHtml(big));
  const stringifyMs = medianMs(() => JSON.stringify(big));
  report(
    'renderHtml in Node, 10,000 decisions + 1,000 spans',
    renderMs / stringifyMs,
    'JSON.stringify of the traces',
    undefined,
    `${renderMs.toFixed(0)} ms vs ${stringifyMs.toFixed(1)} ms`,
  );
}
finish();
