// Sinks off the request path (issues 11 and 14): a traced request (a root span, 20 decisions,
// span.end()) with the file, console and logger sinks on, and with a KafkaSink, against the same
// request with no sink. The KafkaSink's producer is a stand-in that takes each batch and
// resolves in the next turn (a broker's round trip is off the request path either way; what is
// timed is what `export` costs the request). Timed: the
// requests themselves, as a server's handlers run them; the deliveries run between batches, in
// the turn after, untimed (they are reported on their own line). Variants alternate round by
// round; each figure is a median over rounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { context } from '@opentelemetry/api';
import { pino } from 'pino';
import * as stepmark from 'stepmark-otel';
import {
  ConsoleSink,
  FileSink,
  KafkaSink,
  LoggerSink,
  type KafkaProducerLike,
  type TraceSink,
} from 'stepmark-otel/export';
import { finish, heapAfterGc, nextTurn, report } from './measure.js';
import { provider } from './otelSetup.js';

const EVENTS = 20;
const ROUNDS = 11;
const BATCH = 100;
const BATCHES = 20; // 2,000 requests per sample

const dir = mkdtempSync(join(tmpdir(), 'stepmark-sinks-bench-'));
/** A stream that takes every write and keeps nothing: the console's cost without a terminal's. */
const discard = (): Writable =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

/** A producer that takes each batch and resolves in the next turn. */
const producer: KafkaProducerLike = {
  send: () => new Promise((resolve) => setImmediate(resolve)),
};

interface Variant {
  name: string;
  sinks: () => TraceSink[];
}
const VARIANTS: Variant[] = [
  { name: 'no sink', sinks: () => [] },
  {
    name: 'file + console + logger sinks',
    sinks: () => [
      new FileSink({ path: join(dir, 'traces.jsonl'), maxBytes: 8 * 1024 * 1024, maxFiles: 1 }),
      new ConsoleSink({ stream: discard() }),
      new LoggerSink({ logger: pino(pino.destination({ dest: '/dev/null', sync: false })) }),
    ],
  },
  { name: 'KafkaSink', sinks: () => [new KafkaSink({ producer, topic: 'stepmark-traces' })] },
];

/** Runs BATCHES batches; returns ns per request of the requests alone, and of the whole run. */
async function sample(variant: Variant): Promise<{ request: number; total: number }> {
  const sinks = variant.sinks();
  const processor = new stepmark.StepmarkSpanProcessor({ sinks });
  const { provider: p, tracer, exporter } = provider([processor]);
  const serve = (): void => {
    for (let i = 0; i < BATCH; i++) {
      tracer.startActiveSpan('request', (span) => {
        context.with(stepmark.enable(), () => {
          for (let e = 0; e < EVENTS; e++) {
            stepmark.recordEntity(`order_${e % 4}`, 'stage', 'action', { e, ok: true });
          }
        });
        span.end();
      });
    }
  };
  try {
    serve(); // warm-up batch
    await processor.forceFlush();
    heapAfterGc();
    let requestNs = 0;
    const start = process.hrtime.bigint();
    for (let b = 0; b < BATCHES; b++) {
      const t0 = process.hrtime.bigint();
      serve();
      requestNs += Number(process.hrtime.bigint() - t0);
      await nextTurn(); // the deliveries run here, off the requests
      exporter.reset();
    }
    await processor.forceFlush();
    const total = Number(process.hrtime.bigint() - start);
    const { exportsDropped, sinkErrors } = processor.stats();
    if (exportsDropped !== 0 || sinkErrors !== 0)
      throw new Error(`${variant.name}: ${exportsDropped} dropped, ${sinkErrors} sink errors`);
    const lost = sinks.reduce((n, sink) => n + ((sink as { dropped?: number }).dropped ?? 0), 0);
    if (lost !== 0) throw new Error(`${variant.name}: the sinks dropped ${lost} traces`);
    const n = BATCH * BATCHES;
    return { request: requestNs / n, total: total / n };
  } finally {
    await p.shutdown();
  }
}

const rounds: Array<Array<{ request: number; total: number }>> = [];
for (let round = 0; round <= ROUNDS; round++) {
  const results: Array<{ request: number; total: number }> = [];
  for (let k = 0; k < VARIANTS.length; k++) {
    const i = (round + k) % VARIANTS.length;
    results[i] = await sample(VARIANTS[i] as Variant);
  }
  if (round > 0) rounds.push(results); // round 0 warms the JIT up
}
rmSync(dir, { recursive: true, force: true });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
}
const of = (i: number, key: 'request' | 'total'): number[] =>
  rounds.map((r) => r[i]?.[key] ?? Number.NaN);
const ratios = (key: 'request' | 'total', variant = 1): number[] =>
  rounds.map((r) => (r[variant]?.[key] ?? Number.NaN) / (r[0]?.[key] ?? Number.NaN));
const spread = (values: number[]): string => {
  const sorted = [...values].sort((a, b) => a - b);
  return `rounds ${sorted[0]?.toFixed(2)}-${sorted.at(-1)?.toFixed(2)}x`;
};
const us = (value: number): string => `${(value / 1000).toFixed(1)} µs`;

report(
  `traced request, ${EVENTS} decisions, with the file, console and logger sinks`,
  median(ratios('request')),
  'the same request with no sink',
  { max: 1.05 },
  `${us(median(of(1, 'request')))} vs ${us(median(of(0, 'request')))} per request; ${spread(ratios('request'))}`,
);
report(
  'the same, with the deliveries (JSON built, written by the three sinks) counted in',
  median(ratios('total')),
  'the same with no sink',
  undefined,
  `${us(median(of(1, 'total')))} vs ${us(median(of(0, 'total')))} per request; ${spread(ratios('total'))}`,
);
report(
  `traced request, ${EVENTS} decisions, with a KafkaSink`,
  median(ratios('request', 2)),
  'the same request with no sink',
  { max: 1.05 },
  `${us(median(of(2, 'request')))} vs ${us(median(of(0, 'request')))} per request; ${spread(ratios('request', 2))}`,
);
report(
  'the same, with the KafkaSink deliveries (JSON built, batches handed to the producer) counted in',
  median(ratios('total', 2)),
  'the same with no sink',
  undefined,
  `${us(median(of(2, 'total')))} vs ${us(median(of(0, 'total')))} per request; ${spread(ratios('total', 2))}`,
);
finish();
