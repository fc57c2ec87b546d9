// The Perfetto UI (scripts/perfetto-ui.sh) served on 127.0.0.1 with one trace beside it, opened
// in a page the way ui.perfetto.dev is linked to (`#!/?url=`), and its trace processor queried
// with SQL through the page.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { Page } from 'playwright-core';
import { listen } from '../support/listen.js';

const script = fileURLToPath(new URL('../../scripts/perfetto-ui.sh', import.meta.url));

/**
 * The folder of the built Perfetto UI (`perfetto-ui.sh build`: downloaded once, then cached), or
 * why there is none.
 */
export function findPerfettoUi(): { folder: string } | { reason: string } {
  // A pip download that hangs fails here, named, rather than holding the suite.
  const run = spawnSync('bash', [script, 'build'], { encoding: 'utf8', timeout: 300_000 });
  const folder = run.stdout.trim();
  if (run.status === 0 && folder) return { folder };
  return {
    reason:
      run.stderr.trim().replace(/^perfetto-ui\.sh: /, '') || `perfetto-ui.sh exited ${run.status}`,
  };
}

/** A served Perfetto UI and the address that opens `trace` in it. */
export interface ServedPerfetto {
  openUrl: string;
  close(): Promise<void>;
}

/** Serves the UI in `folder` and `trace` (a JSON document) on a free port of 127.0.0.1. */
export async function servePerfetto(folder: string, trace: string): Promise<ServedPerfetto> {
  const app = express();
  app.get('/capture.json', (_request, response) => {
    response.type('application/json').send(trace);
  });
  app.use(express.static(folder));
  const running = await listen(createServer(app));
  const traceUrl = `${running.url}/capture.json`;
  return {
    openUrl: `${running.url}/#!/?url=${encodeURIComponent(traceUrl)}`,
    close: running.close,
  };
}

/** One row of a query: bigint columns as numbers. */
export type Row = Record<string, string | number | null>;

// The page's debug global (Perfetto registers `window.app` at start-up); declared here because
// the project's tsconfig has no DOM lib, and this runs in the page.
interface QueryResult {
  columns(): string[];
  iter(spec: object): { valid(): boolean; next(): void; get(column: string): unknown };
}
declare const window: {
  app?: {
    trace?: {
      engine: { query(sql: string): Promise<QueryResult> };
      selection: { selectSqlEvent(table: string, id: number, options: object): void };
    };
  };
  waitForPerfettoIdle(hysteresisMs: number): Promise<void>;
};

/** Waits until the page's Perfetto has loaded a trace into its trace processor. */
export async function whenTraceLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() => window.app?.trace !== undefined, null, { timeout: 60_000 });
}

/**
 * Waits until the page's Perfetto is idle: no query pending, no redraw scheduled, no task or
 * animation running (Perfetto's own test hook, the one its screenshot tests use).
 */
export async function whenIdle(page: Page): Promise<void> {
  await page.evaluate(() => window.waitForPerfettoIdle(500));
}

/** Selects the slice `id`, as a click on it does: its details and args open below the tracks. */
export async function selectSlice(page: Page, id: number): Promise<void> {
  await page.evaluate((slice) => {
    window.app!.trace!.selection.selectSqlEvent('slice', slice, {
      switchToCurrentSelectionTab: true,
      scrollToSelection: true,
    });
  }, id);
  await whenIdle(page);
}

/** Runs `sql` in the trace processor of the page's loaded trace. */
export function query(page: Page, sql: string): Promise<Row[]> {
  return page.evaluate(async (text) => {
    const result = await window.app!.trace!.engine.query(text);
    const columns = result.columns();
    const rows: Record<string, string | number | null>[] = [];
    for (const it = result.iter({}); it.valid(); it.next()) {
      const row: Record<string, string | number | null> = {};
      for (const column of columns) {
        const value = it.get(column);
        row[column] = typeof value === 'bigint' ? Number(value) : (value as string | number | null);
      }
      rows.push(row);
    }
    return rows;
  }, sql);
}
