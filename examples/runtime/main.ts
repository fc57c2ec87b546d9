// `npm run example:runtime`: Go's runtime/trace for Node.js. Two requests run at once: A waits
// 50 ms for its stock service (a timer) while B parses a report for 100 ms on the event loop, in
// region `parseReport`. A capture records both; the RuntimeMonitor says who held A up, and the
// capture is written in the Chrome trace event format (Perfetto, chrome://tracing).
// Usage: main.ts [--out capture.json]
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import * as stepmark from 'stepmark-otel';
import {
  log,
  region,
  RuntimeMonitor,
  startCapture,
  task,
  toChromeTrace,
  type Trace,
} from 'stepmark-otel/runtime';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const processor = new stepmark.StepmarkSpanProcessor({ analyzers: [new RuntimeMonitor()] });
const provider = new BasicTracerProvider({ spanProcessors: [processor] });
trace.setGlobalTracerProvider(provider);
const tracer: Tracer = trace.getTracer('runtime-example');

/** A synchronous loop of about `ms` milliseconds: the kind of work that holds the loop. */
function parse(ms: number): number {
  const report = JSON.stringify({ rows: Array.from({ length: 2_000 }, (_, i) => ({ i })) });
  let rows = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) rows += (JSON.parse(report) as { rows: unknown[] }).rows.length;
  return rows;
}

/** Request A: checks stock (an I/O wait), then decides. */
function orderRequest(): Promise<string> {
  return tracer.startActiveSpan('GET /orders/42', async (span) => {
    await task('checkout', async () => {
      await region('reserveStock', async () => {
        log('stock', 'asking the stock service', { sku: 'lamp' });
        await sleep(50); // the stock service's answer
        stepmark.recordEntity('order_42', 'stock', 'reserved', { sku: 'lamp' });
      });
      region('price', () =>
        stepmark.recordEntity('order_42', 'pricing', 'priced', { total: 49.5 }),
      );
    });
    span.end();
    return span.spanContext().traceId;
  });
}

/** Request B: a report parsed on the event loop. */
function reportRequest(): Promise<string> {
  return tracer.startActiveSpan('POST /reports', async (span) => {
    await sleep(5); // A is waiting on its timer by now
    task('report', () => {
      const rows = region('parseReport', () => parse(100));
      stepmark.recordEntity('report_7', 'import', 'parsed', { rows });
    });
    span.end();
    return span.spanContext().traceId;
  });
}

const out = process.argv.indexOf('--out');
const capture = startCapture({ durationMs: 10_000 });
const [a, b] = await Promise.all([orderRequest(), reportRequest()]);
const traces: Trace[] = await capture.stop();

const ms = (value: number | undefined) => `${(value ?? 0).toFixed(1)} ms`;
for (const [name, id] of [
  ['A GET /orders/42', a],
  ['B POST /reports', b],
] as const) {
  const runtime = traces.find((t) => t.trace_id === id)?.runtime;
  console.log(
    `${name}  trace ${id.slice(0, 8)}…  ${ms(runtime?.duration_ms)}: own work ${ms(runtime?.on_loop_ms)}, ` +
      `blocked ${ms(runtime?.blocked_ms)}, GC ${ms(runtime?.gc_ms)}, waiting ${ms(runtime?.waiting_ms)}`,
  );
  for (const blocked of runtime?.blocked ?? [])
    console.log(
      `  blocked ${ms(blocked.duration_ms)} by trace ${blocked.by_trace_id?.slice(0, 8) ?? '(untraced work)'}…` +
        ` in task ${blocked.task ?? '-'}, region ${blocked.region ?? '-'}`,
    );
  for (const blocking of runtime?.blocking ?? [])
    console.log(
      `  held the loop ${ms(blocking.duration_ms)} in region ${blocking.region ?? '-'}, ` +
        `blocking ${blocking.blocked_trace_ids?.length ?? 0} traced request(s)`,
    );
}
if (out !== -1 && process.argv[out + 1] !== undefined) {
  writeFileSync(process.argv[out + 1]!, JSON.stringify(toChromeTrace(traces)));
  console.log(`Chrome trace (Perfetto, chrome://tracing): ${process.argv[out + 1]}`);
}
await provider.shutdown();
