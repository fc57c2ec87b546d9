// stepmark-otel/concurrency: trackStateChange off (against an empty call) and on (its whole cost
// against a raw span.addEvent with the same attributes, span end included on both sides).
// node-flags: --min-semi-space-size=64 --max-semi-space-size=64
import { context, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import * as stepmark from 'stepmark-otel';
import { RaceDetector, trackStateChange } from 'stepmark-otel/concurrency';
import { bytesPerCall, finish, nextTurn, ns, pairedNsPerOp, report } from './measure.js';
import { provider, useGlobally } from './otelSetup.js';

const N = 20_000_000;
let sink = 0;
function empty(variable: string, oldValue: unknown, newValue: unknown, access: string): void {
  if (access === '' && variable === '' && oldValue === newValue) sink++;
}
const emptyLoop = (n: number) => {
  for (let i = 0; i < n; i++) empty('accounts.alice', i, i + 1, 'write');
};
const offLoop = (n: number) => {
  for (let i = 0; i < n; i++) trackStateChange('accounts.alice', i, i + 1, 'write');
};

const [emptyNs, offNs] = pairedNsPerOp(emptyLoop, offLoop, N);
report(
  'trackStateChange, tracing off',
  offNs / emptyNs,
  'empty function call',
  { max: 3 },
  `${ns(offNs)} vs ${ns(emptyNs)}`,
);
report('trackStateChange off, heap allocated per call', bytesPerCall(offLoop), 'bytes', {
  max: 0.5,
});

// On: batches of 100 accesses per request span; the time includes span.end(), where stepmark
// writes its span events, so that both sides pay for the events they add. Each measurement has
// a provider and a stepmark processor of its own, shut down after it: every live processor
// adopts every enabled trace, so one left alive (the RaceDetector's) would double the work
// measured for the other.
const BATCH = 100;
const BATCHES = 1_000;
type Rig = { tracer: Tracer; exporter: InMemorySpanExporter; flush: () => Promise<void> };

/** Per access, median over rounds, of `batch` on a fresh rig (with a RaceDetector or not). */
async function measured(detector: boolean, batch: (span: Span) => bigint): Promise<number> {
  const processor = new stepmark.StepmarkSpanProcessor(
    detector ? { analyzers: [new RaceDetector()] } : {},
  );
  const { provider: p, tracer, exporter } = provider([processor]);
  useGlobally(p);
  try {
    return await perAccess({ tracer, exporter, flush: () => processor.forceFlush() }, batch);
  } finally {
    await p.shutdown();
  }
}

async function perAccess(rig: Rig, batch: (span: Span) => bigint, rounds = 7): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    let elapsed = 0n;
    for (let b = 0; b < BATCHES; b++) elapsed += batch(rig.tracer.startSpan('request'));
    await rig.flush();
    await nextTurn();
    rig.exporter.reset();
    if (r > 0) samples.push(Number(elapsed) / (BATCHES * BATCH));
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1] ?? Number.NaN;
}

function rawBatch(span: Span): bigint {
  const start = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) {
    span.addEvent('write accounts.alice', {
      'stepmark.seq': i,
      'stepmark.state.variable': 'accounts.alice',
      'stepmark.state.access': 'write',
      'stepmark.state.task': 't1:request',
      'stepmark.state.value': i + 1,
      'stepmark.state.old_value': i,
      'stepmark.state.location': '/srv/app/transfer.ts:12:7',
    });
  }
  span.end();
  return process.hrtime.bigint() - start;
}

const NO_LOCATIONS = stepmark.checkOptions({ stateLocations: false });
let locations = true;
function trackedBatch(span: Span): bigint {
  const options = locations ? undefined : NO_LOCATIONS;
  return context.with(stepmark.enable(options, trace.setSpan(context.active(), span)), () => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) trackStateChange('accounts.alice', i, i + 1, 'write');
    span.end();
    return process.hrtime.bigint() - start;
  });
}

let rawNs = Number.POSITIVE_INFINITY;
let onNs = Number.POSITIVE_INFINITY;
let detectNs = Number.POSITIVE_INFINITY;
let locatedNs = Number.POSITIVE_INFINITY;
for (let round = 0; round < 3; round++) {
  rawNs = Math.min(rawNs, await measured(false, rawBatch));
  locations = false;
  onNs = Math.min(onNs, await measured(false, trackedBatch));
  detectNs = Math.min(detectNs, await measured(true, trackedBatch));
  locations = true;
  locatedNs = Math.min(locatedNs, await measured(false, trackedBatch));
}
report(
  'trackStateChange on, stateLocations: false (whole cost, span event included)',
  onNs / rawNs,
  'raw span.addEvent',
  { max: 1.5 },
  `${ns(onNs)} vs ${ns(rawNs)}`,
);
report(
  'trackStateChange on, stateLocations: false, with a RaceDetector',
  detectNs / rawNs,
  'raw span.addEvent',
  undefined,
  `${ns(detectNs)} per access`,
);
report(
  'trackStateChange on, with source locations (the default)',
  locatedNs / rawNs,
  'raw span.addEvent',
  undefined,
  `${ns(locatedNs)} per access (a stack capture and its formatting)`,
);
if (sink < 0) console.log(sink);
finish();
