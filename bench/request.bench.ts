// The whole cost of a traced request: a root span, 20 decisions, span.end() and the delivery of
// stepmark's trace (forceFlush is timed), against the same request writing its 20 decisions as
// raw span.addEvent. Variants alternate round by round; each figure is a median over rounds.
import { context, type Span } from '@opentelemetry/api';
import * as stepmark from 'stepmark-otel';
import type { Trace } from 'stepmark-otel';
import { bytesPerCallAsync, finish, heapAfterGc, nsPerOpAsync, report } from './measure.js';
import { provider, servedRequests, type RequestHandler, type RequestRig } from './otelSetup.js';

const EVENTS = 20;
const ROUNDS = 11;
const N = 2_000; // requests per timed sample; 3 samples per variant and round

/** Decisions the onFinish consumer saw: counted, never stringified (the cost is stepmark's). */
let consumed = 0;
const countDecisions = (t: Trace): void => {
  for (const entity of Object.values(t.entities ?? {})) consumed += entity.events.length;
};

const raw =
  (events: number): RequestHandler =>
  (span: Span) => {
    for (let e = 0; e < events; e++) {
      span.addEvent('stage: action', {
        'stepmark.stage': 'stage',
        'stepmark.action': 'action',
        'stepmark.entity.id': `order_${e % 4}`,
        'stepmark.meta.e': e,
        'stepmark.meta.ok': true,
      });
    }
  };

const recorded =
  (events: number): RequestHandler =>
  () =>
    context.with(stepmark.enable(), () => {
      for (let e = 0; e < events; e++) {
        stepmark.recordEntity(`order_${e % 4}`, 'stage', 'action', { e, ok: true });
      }
    });

interface Variant {
  name: string;
  options: stepmark.StepmarkSpanProcessorOptions;
  handler: (events: number) => RequestHandler;
}
// Every variant has a stepmark processor first; raw's requests are not enabled, so it idles.
const VARIANTS: Variant[] = [
  { name: 'raw span.addEvent', options: {}, handler: raw },
  { name: 'stepmark + onFinish', options: { onFinish: countDecisions }, handler: recorded },
  { name: 'stepmark, no consumer', options: {}, handler: recorded },
];

/**
 * A fresh provider per variant and round, shut down after it: every live stepmark processor
 * adopts every enabled trace (bindSession), so another variant's processor left alive would
 * hold traces that never end in its provider and emit them on capacity eviction.
 */
async function withRig<T>(variant: Variant, use: (rig: RequestRig) => Promise<T>): Promise<T> {
  const processor = new stepmark.StepmarkSpanProcessor(variant.options);
  const { provider: p, tracer, exporter } = provider([processor]);
  try {
    return await use({ tracer, processor, exporter });
  } finally {
    await p.shutdown();
  }
}

// Each variant does what it claims: 20 span events per request; stepmark's trace emitted (and
// its 20 decisions consumed) by the stepmark variants only.
for (const variant of VARIANTS) {
  await withRig(variant, async (rig) => {
    const before = consumed;
    rig.tracer.startActiveSpan('check', (span) => {
      variant.handler(EVENTS)(span, 0);
      span.end();
    });
    const events = rig.exporter.getFinishedSpans()[0]?.events.length;
    await rig.processor.forceFlush();
    const { tracesEmitted, internalErrors } = rig.processor.stats();
    const ok =
      events === EVENTS &&
      tracesEmitted === (variant.handler === recorded ? 1 : 0) &&
      consumed - before === (variant.options.onFinish !== undefined ? EVENTS : 0) &&
      internalErrors === 0;
    if (!ok) throw new Error(`${variant.name}: ${events} span events, ${tracesEmitted} traces`);
  });
}

const timeOf = (variant: Variant): Promise<number> =>
  withRig(variant, (rig) => {
    const handle = variant.handler(EVENTS);
    heapAfterGc(); // no variant pays for the garbage of the one before
    return nsPerOpAsync((n) => servedRequests(rig, n, handle), N, 3);
  });

/**
 * Per round, ns per request of each variant. Round 0 is not kept: it warms up the JIT and fills
 * the process-wide structures bounded at 10,000 traces, so that the rounds kept measure a server
 * in its steady state.
 */
const rounds: number[][] = [];
for (let round = 0; round <= ROUNDS; round++) {
  const ns: number[] = [];
  // Rotate the order, so that no variant always runs first (or right after the costliest).
  for (let k = 0; k < VARIANTS.length; k++) {
    const i = (round + k) % VARIANTS.length;
    ns[i] = await timeOf(VARIANTS[i] as Variant);
  }
  if (round > 0) rounds.push(ns);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
}
const us = (i: number): string =>
  `${(median(rounds.map((r) => r[i] ?? NaN)) / 1000).toFixed(1)} µs`;
const ratio = (i: number): number => median(rounds.map((r) => (r[i] ?? NaN) / (r[0] ?? NaN)));
const range = (i: number): string => {
  const all = rounds.map((r) => (r[i] ?? NaN) / (r[0] ?? NaN)).sort((a, b) => a - b);
  return `rounds ${all[0]?.toFixed(2)}-${all.at(-1)?.toFixed(2)}x`;
};
const baseline = 'the same request writing raw span.addEvent';
report(
  `traced request, ${EVENTS} decisions, onFinish`,
  ratio(1),
  baseline,
  { max: 1.5 },
  `${us(1)} vs ${us(0)} per request; ${range(1)}`,
);
report(
  `traced request, ${EVENTS} decisions, no JSON consumer`,
  ratio(2),
  baseline,
  { max: 1.2 },
  `${us(2)} vs ${us(0)} per request; ${range(2)}`,
);

// Allocation per decision: bytes per request with EVENTS decisions, less those with none. Raw's
// figure is that of a process where stepmark writes span events too (the SDK's shared paths are
// then polymorphic): about 520 bytes instead of 760 in a process where stepmark never ran.
for (const variant of VARIANTS) {
  const perRequest = (events: number): Promise<number> =>
    withRig(variant, (rig) => {
      const handle = variant.handler(events);
      return bytesPerCallAsync((n) => servedRequests(rig, n, handle), 500, 2_500);
    });
  const full = await perRequest(EVENTS);
  const empty = await perRequest(0);
  report(
    `heap allocated per decision, ${variant.name}`,
    (full - empty) / EVENTS,
    'bytes',
    undefined,
    `${Math.round(full)} bytes per request of ${EVENTS} decisions, ${Math.round(empty)} of none`,
  );
}
finish();
