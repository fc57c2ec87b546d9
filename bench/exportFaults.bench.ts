// Jaeger down or slow: traced requests must keep their speed, and memory must stay bounded by the
// exporter queue. Baseline: the same requests exporting over OTLP/HTTP to a healthy receiver (a
// stub answering at once), so that both sides pay for serializing the batches.
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import * as stepmark from 'stepmark-otel';
import { CountingSpanExporter } from 'stepmark-otel/export';
import { finish, heapAfterGc, nextTurn, ns, report } from './measure.js';
import './otelSetup.js'; // the context manager

const REQUESTS = 20_000;
const MB = 1024 * 1024;
// One stepmark processor for every provider here (sessions are process-wide: one per process).
const processor = new stepmark.StepmarkSpanProcessor({ onFinish: (t) => void JSON.stringify(t) });

function setup(exporter: SpanExporter) {
  const counting = new CountingSpanExporter(exporter);
  const provider = new BasicTracerProvider({
    spanProcessors: [
      processor,
      new BatchSpanProcessor(counting, { maxQueueSize: 2048, exportTimeoutMillis: 5_000 }),
    ],
  });
  return { tracer: provider.getTracer('bench'), counting, provider };
}

/** Nanoseconds per traced request of 20 decisions, a turn of the event loop every 100 requests. */
async function perRequest(tracer: ReturnType<typeof setup>['tracer']): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < REQUESTS; i++) {
    tracer.startActiveSpan('request', (span) => {
      context.with(stepmark.enable(), () => {
        for (let e = 0; e < 20; e++)
          stepmark.recordEntity(`order_${e % 4}`, 'stage', 'action', { e });
      });
      span.end();
    });
    if (i % 100 === 99) await nextTurn();
  }
  return Number(process.hrtime.bigint() - start) / REQUESTS;
}

// A healthy receiver: reads the batch, answers 200 at once.
const healthy: Server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise<void>((resolve) => healthy.listen(0, '127.0.0.1', resolve));
const healthyPort = (healthy.address() as { port: number }).port;
// A Jaeger that accepts connections and never answers.
const sockets = new Set<Socket>();
const silent: Server = createServer(() => undefined);
silent.on('connection', (s) => sockets.add(s));
await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
const silentPort = (silent.address() as { port: number }).port;
// A port with nothing listening.
const closed = createServer();
await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
const closedPort = (closed.address() as { port: number }).port;
await new Promise<void>((resolve) => closed.close(() => resolve()));

const up = setup(
  new OTLPTraceExporter({ url: `http://127.0.0.1:${healthyPort}/v1/traces`, timeoutMillis: 5_000 }),
);
const down = setup(
  new OTLPTraceExporter({ url: `http://127.0.0.1:${closedPort}/v1/traces`, timeoutMillis: 1_000 }),
);
const slow = setup(
  new OTLPTraceExporter({ url: `http://127.0.0.1:${silentPort}/v1/traces`, timeoutMillis: 5_000 }),
);

await perRequest(up.tracer); // warm-up
await up.provider.forceFlush();
const base = heapAfterGc();
const upNs = await perRequest(up.tracer);
await up.provider.forceFlush();
const upHeap = (heapAfterGc() - base) / MB;
const downNs = await perRequest(down.tracer);
const downHeap = (heapAfterGc() - base) / MB;
const slowNs = await perRequest(slow.tracer);
const slowHeap = (heapAfterGc() - base) / MB;
report(
  'traced requests while Jaeger is down (connection refused)',
  downNs / upNs,
  'Jaeger up',
  { max: 1.5 },
  `${ns(downNs)} vs ${ns(upNs)}; heap +${downHeap.toFixed(1)} MB`,
);
report(
  'traced requests while Jaeger is slow (never answers)',
  slowNs / upNs,
  'Jaeger up',
  { max: 1.5 },
  `${ns(slowNs)} vs ${ns(upNs)}; heap +${slowHeap.toFixed(1)} MB`,
);
report(
  'heap held while Jaeger is down or slow (exporter queue capped at 2048 spans)',
  Math.max(downHeap, slowHeap),
  'MB',
  { max: 50 },
  `+${upHeap.toFixed(1)} MB after the Jaeger-up run`,
);
const u = up.counting.counts();
const d = down.counting.counts();
const s = slow.counting.counts();
console.log(
  `  counted: up ${u.exportedSpans} exported / ${u.failedSpans} failed; down ${d.exportedSpans} / ${d.failedSpans}; slow ${s.exportedSpans} / ${s.failedSpans}`,
);
for (const socket of sockets) socket.destroy();
silent.close();
healthy.close();
await Promise.allSettled([
  up.provider.shutdown(),
  down.provider.shutdown(),
  slow.provider.shutdown(),
]);
finish();
process.exit(process.exitCode ?? 0); // a never-answering export may still be pending
