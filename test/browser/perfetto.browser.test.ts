// Issue 13: the Chrome trace a capture writes loads in Perfetto. `npm run example:runtime` (A
// waits on a timer while B runs 100 ms in region `parseReport`) writes its capture; the real
// Perfetto UI (scripts/perfetto-ui.sh) opens it in headless Chromium, and its trace processor,
// asked with SQL, holds what we wrote: no import error, the request/task/region nesting, each
// decision and log in the span it was recorded in, A's blocked slice naming B, GC slices,
// event-loop counters.
// Run with `npm run test:browser` (vitest.browser.config.ts); `npm test` skips this file.
// Screenshot: artifacts/perfetto/runtime-trace.png (scripts/runtime-screenshot.sh copies it
// into docs/).
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExample } from '../support/runExample.js';
import {
  findPerfettoUi,
  query,
  selectSlice,
  servePerfetto,
  whenIdle,
  whenTraceLoaded,
  type Row,
  type ServedPerfetto,
} from './PerfettoUi.js';
import { browserSuiteSkip, CHROMIUM } from './browserSuite.js';

/** Where the screenshot goes (git-ignored, as artifacts/jaeger-ui/). */
const ARTIFACTS = fileURLToPath(new URL('../../artifacts/perfetto/', import.meta.url));

let folder = '';
const reason = browserSuiteSkip('Perfetto', () => {
  const ui = findPerfettoUi();
  if ('reason' in ui) return [ui.reason];
  folder = ui.folder;
  return [];
});

/** The row of argument `key` in the details of the selected slice. */
function argRow(page: Page, key: string): Locator {
  return page.locator('.pf-tree-node', {
    has: page.locator('a.pf-anchor', { hasText: new RegExp(`^${key}`) }),
  });
}

/** Each slice with its thread, parent's name and duration in ms. */
const SLICES = `
  select s.id, s.name, s.category, s.dur / 1e6 as ms, s.arg_set_id, t.name as thread,
    p.name as parent
  from slice s
  join thread_track tt on s.track_id = tt.id
  join thread t using (utid)
  left join slice p on p.id = s.parent_id
  order by s.ts`;

describe.skipIf(reason !== undefined)('Perfetto UI opens a capture', () => {
  let browser: Browser;
  let page: Page;
  let served: ServedPerfetto;
  const pageErrors: string[] = [];
  let slices: Row[];

  /** The one slice named `name`. */
  function slice(name: string): Row {
    const found = slices.filter((row) => row.name === name);
    expect(found, name).toHaveLength(1);
    return found[0]!;
  }

  /** The args of a slice, by key without the importer's `args.` prefix. */
  async function argsOf(row: Row): Promise<Record<string, string>> {
    const args = await query(
      page,
      `select key, display_value from args where arg_set_id = ${Number(row.arg_set_id)}`,
    );
    return Object.fromEntries(
      args.map((arg) => [String(arg.key).replace(/^args\./, ''), String(arg.display_value)]),
    );
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const out = join(mkdtempSync(join(tmpdir(), 'stepmark-perfetto-')), 'capture.json');
    const run = await runExample('examples/runtime/main.ts', ['--out', out]);
    if (run.code !== 0) throw new Error(`example:runtime exited ${run.code}:\n${run.stderr}`);
    served = await servePerfetto(folder, readFileSync(out, 'utf8'));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(served.openUrl);
    await whenTraceLoaded(page);
    await whenIdle(page);
    slices = await query(page, SLICES);
    // The picture docs/runtime.md shows: A's blocked slice selected, its args (B's trace id, the
    // task and region) below the tracks.
    const blocked = slices.find((row) => row.category === 'blocked');
    if (blocked) {
      await selectSlice(page, Number(blocked.id));
      await argRow(page, 'by_trace_id').scrollIntoViewIfNeeded();
    }
    await page.screenshot({ path: join(ARTIFACTS, 'runtime-trace.png') });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('imports the capture without an error', async () => {
    const problems = await query(
      page,
      `select name, severity, value from stats
       where severity in ('error', 'data_loss') and value > 0`,
    );
    expect(problems).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(await page.getByText('Oops, something went wrong').count()).toBe(0);
  });

  it('nests each request, its task and its region, and each decision and log in its span', () => {
    expect(slice('checkout')).toMatchObject({ category: 'task', parent: 'GET /orders/42' });
    expect(slice('reserveStock')).toMatchObject({ category: 'region', parent: 'checkout' });
    expect(slice('report')).toMatchObject({ category: 'task', parent: 'POST /reports' });
    expect(slice('parseReport')).toMatchObject({ category: 'region', parent: 'report' });
    expect(slice('order_42 · stock: reserved')).toMatchObject({
      category: 'decision',
      ms: 0,
      parent: 'reserveStock',
    });
    expect(slice('order_42 · pricing: priced')).toMatchObject({
      category: 'decision',
      parent: 'price',
    });
    // Recorded in task report once its region parseReport has ended.
    expect(slice('report_7 · import: parsed')).toMatchObject({
      category: 'decision',
      parent: 'report',
    });
    expect(slice('stock: asking the stock service')).toMatchObject({
      category: 'log',
      parent: 'reserveStock',
    });
    // Each request on its own track, named after it.
    expect(String(slice('GET /orders/42').thread)).toMatch(/^GET \/orders\/42 · [0-9a-f]{8}$/);
    expect(String(slice('POST /reports').thread)).toMatch(/^POST \/reports · [0-9a-f]{8}$/);
  });

  it("shows A blocked by B's region parseReport, and B blocking A", async () => {
    const blocked = slice('blocked · parseReport');
    expect(blocked.category).toBe('blocked');
    expect(String(blocked.thread)).toMatch(/^GET \/orders\/42 · [0-9a-f]{8} · blocked$/);
    expect(Number(blocked.ms)).toBeGreaterThanOrEqual(45);
    const blocking = slice('blocking · parseReport');
    const [a, b] = [await argsOf(blocked), await argsOf(blocking)];
    expect(a).toMatchObject({ by_trace_id: b.trace_id, task: 'report', region: 'parseReport' });
    expect(b.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(b['blocked_trace_ids[0]']).toBe(a.trace_id);
    // What the UI shows of the selected slice (selected in beforeAll): B's trace id.
    expect(await argRow(page, 'by_trace_id').locator('.pf-tree-right').innerText()).toBe(
      b.trace_id,
    );
  });

  it('puts GC on its own track and the event loop in counters', async () => {
    // B's 100 ms of JSON.parse allocates hundreds of megabytes: young-generation GCs at least.
    const gcs = slices.filter((row) => row.category === 'gc');
    expect(gcs.length).toBeGreaterThan(0);
    for (const gc of gcs)
      expect(gc).toMatchObject({ thread: 'GC', name: expect.stringMatching(/^GC /) });
    const counters = await query(
      page,
      `select t.name, min(c.value) as low, max(c.value) as high
       from counter c join counter_track t on c.track_id = t.id group by t.name order by t.name`,
    );
    expect(counters.map((row) => row.name)).toEqual([
      'event loop delay_max_ms',
      'event loop delay_p99_ms',
      'event loop utilization',
    ]);
    const utilization = counters.find((row) => row.name === 'event loop utilization')!;
    expect(Number(utilization.low)).toBeGreaterThanOrEqual(0);
    expect(Number(utilization.high)).toBeLessThanOrEqual(1);
  });
});
