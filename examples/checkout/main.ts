// `npm start`: orders go through the checkout; the traced ones print why they ended as they did,
// as a timeline of their decisions. The full JSON goes to a file (`-- --json` prints it too).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import * as stepmark from 'stepmark-otel';
import type { Trace } from 'stepmark-otel';
import { renderHtml } from 'stepmark-otel/viewer';
// The CLI's timeline, so that the demo prints what `stepmark-otel show` prints for the same file.
// It is not part of the package's API: in your code, print the JSON or use the CLI.
import { PLAIN, styleFor, traceTimeline, type Style } from '../../src/cli/timeline.js';
import { checkout, type Outcome } from './checkout.js';
import { startOtel } from './otel.js';
import { DEMO_ORDERS, type DemoOrder } from './orders.js';

/** Handles one order as a server would: a request span, with stepmark on only when asked. */
function handle(order: DemoOrder): Promise<{ outcome: Outcome; traceId: string }> {
  return trace
    .getTracer('checkout-demo')
    .startActiveSpan(`POST /checkout ${order.id}`, async (span) => {
      try {
        // In a service this is the X-Stepmark header or baggage (stepmark-otel/http); here a flag.
        const ctx = order.traced
          ? stepmark.enable({
              traceMeta: { order_id: order.id },
              errorActions: ['blocked', 'rejected'],
            })
          : context.active();
        const outcome = await context.with(ctx, () => checkout(order));
        return { outcome, traceId: span.spanContext().traceId };
      } finally {
        span.end();
      }
    });
}

/** How the demo runs; `npm start` passes `--json` through to `json`. */
export interface DemoOptions {
  /** Where each line goes. Default: console.log. */
  print?: (line: string) => void;
  /** Also print the full JSON of each trace under its timeline. */
  json?: boolean;
  /** The JSON Lines file of the traces. Default: traces.jsonl in a new temporary directory. */
  jsonFile?: string;
  /** Default: plain (the entry point below colours a terminal, as the CLI does). */
  style?: Style;
}

export async function main(options: DemoOptions = {}): Promise<Trace[]> {
  const print = options.print ?? console.log;
  const style = options.style ?? PLAIN;
  const file =
    options.jsonFile ?? join(mkdtempSync(join(tmpdir(), 'stepmark-otel-demo-')), 'traces.jsonl');
  const finished = new Map<string, Trace>();
  const otel = startOtel((t) => void finished.set(t.trace_id, t));
  const traces: Trace[] = [];
  print(`stepmark-otel checkout demo; spans go to ${otel.exportingTo}`);
  for (const order of DEMO_ORDERS) {
    const { outcome, traceId } = await handle(order);
    print(
      `\n${order.id}: ${outcome.status}${'reason' in outcome ? ` (${outcome.reason})` : ` total ${outcome.total}`}${order.traced ? '' : ' [not traced]'}`,
    );
    // The trace is handed over once its root span has ended, off the request's path.
    await otel.flush();
    const t = finished.get(traceId);
    if (!order.traced || t === undefined) continue;
    traces.push(t);
    print(traceTimeline(t, style));
    if (options.json) print(JSON.stringify(t, null, 2));
  }
  await otel.shutdown();
  // One trace per line, as FileSink (stepmark-otel/export) writes them in a service.
  writeFileSync(file, traces.map((t) => `${JSON.stringify(t)}\n`).join(''));
  // The same traces as one self-contained page (stepmark-otel/viewer), beside the JSON.
  const report = `${file.replace(/\.jsonl$/, '')}.html`;
  writeFileSync(report, renderHtml(traces, { title: 'stepmark-otel checkout demo' }));
  print(`\nThe full JSON of these traces is in ${file}`);
  print(`  read it back: npm run cli -- show ${file} [--entity order_43] [--json]`);
  print(`The same traces as a page to open in a browser: ${report}`);
  return traces;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main({
    json: process.argv.includes('--json'),
    style: styleFor(process.stdout.isTTY === true, process.env),
  });
}
