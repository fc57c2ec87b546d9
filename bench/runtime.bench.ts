// stepmark-otel/runtime: region(name, fn) off (against calling fn directly) and on (against an
// OpenTelemetry startActiveSpan + end around the same fn, in the same traced request, with the
// SDK and the stepmark processor installed on both sides). No exporter: its per-span cost would
// hide the difference. Off, the one check is a field load (see Registry.live), under a
// nanosecond; the fn only increments a counter (about two), the most a check can show against.
// node-flags: --min-semi-space-size=64 --max-semi-space-size=64
import { context, trace, type Span } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import * as stepmark from 'stepmark-otel';
import { region } from 'stepmark-otel/runtime';
import { bytesPerCall, finish, nextTurn, ns, pairedNsPerOp, report } from './measure.js';
import { useGlobally } from './otelSetup.js';

const N = 20_000_000;
let sink = 0;
// Kept a small integer: past 2^30 increments V8 would box it, and both loops run over a billion.
function work(): number {
  return (sink = (sink + 1) & 0xffff);
}
const directLoop = (n: number) => {
  for (let i = 0; i < n; i++) work();
};
const offLoop = (n: number) => {
  for (let i = 0; i < n; i++) region('phase', work);
};

const processor = new stepmark.StepmarkSpanProcessor();
const p = new BasicTracerProvider({ spanProcessors: [processor] });
const tracer = p.getTracer('bench');
useGlobally(p);

const [directNs, offNs] = pairedNsPerOp(directLoop, offLoop, N);
report(
  'region(name, fn), tracing off',
  offNs / directNs,
  'calling fn directly',
  { max: 1.5 },
  `${ns(offNs)} vs ${ns(directNs)}`,
);
report('region off, heap allocated per call', bytesPerCall(offLoop), 'bytes', { max: 0.5 });

// On: batches of 100 regions per traced request span; span ends (where the processors run)
// are timed on both sides.
const BATCH = 100;
const BATCHES = 500;
const otelTracer = trace.getTracer('bench-baseline');

function otelBatch(): void {
  for (let i = 0; i < BATCH; i++) {
    otelTracer.startActiveSpan('phase', (span) => {
      work();
      span.end();
    });
  }
}

function regionBatch(): void {
  for (let i = 0; i < BATCH; i++) region('phase', work);
}

/** One traced request running `batch`: the nanoseconds of the batch, the root's end untimed. */
function timedRequest(batch: () => void): bigint {
  const root: Span = tracer.startSpan('request');
  return context.with(stepmark.enable(undefined, trace.setSpan(context.active(), root)), () => {
    const start = process.hrtime.bigint();
    batch();
    const took = process.hrtime.bigint() - start;
    root.end();
    return took;
  });
}

/**
 * Nanoseconds per call of each batch, the two alternated request by request (the machine's
 * drift hits both alike): the median of 7 rounds each.
 */
async function pairedPerCall(a: () => void, b: () => void, rounds = 7): Promise<[number, number]> {
  const samplesA: number[] = [];
  const samplesB: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    let elapsedA = 0n;
    let elapsedB = 0n;
    for (let i = 0; i < BATCHES; i++) {
      elapsedA += timedRequest(a);
      elapsedB += timedRequest(b);
      if (i % 50 === 49) {
        await processor.forceFlush();
        await nextTurn();
      }
    }
    await processor.forceFlush();
    await nextTurn();
    if (r === 0) continue; // warm-up
    samplesA.push(Number(elapsedA) / (BATCHES * BATCH));
    samplesB.push(Number(elapsedB) / (BATCHES * BATCH));
  }
  const median = (s: number[]) => s.sort((x, y) => x - y)[s.length >> 1] ?? Number.NaN;
  return [median(samplesA), median(samplesB)];
}

const [otelNs, onNs] = await pairedPerCall(otelBatch, regionBatch);
report(
  'region(name, fn), tracing on',
  onNs / otelNs,
  'OTel startActiveSpan + end',
  { max: 1.2 },
  `${ns(onNs)} vs ${ns(otelNs)}`,
);
if (sink < 0) console.log(sink);
finish();
