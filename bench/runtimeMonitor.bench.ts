// stepmark-otel/runtime's RuntimeMonitor: what it costs requests no one traces (target: at least
// 0.98x the requests/s with it off, i.e. at most 1.02x the time per request), and what it costs
// traced ones. A request is a root span around a few awaits and a little synchronous work, 16 in
// flight at a time, as a server runs them; the stepmark processor is installed on both sides,
// the monitor is its analyzer on one. The two sides alternate sample by sample (the machine's
// drift hits both alike); each figure is the median of the ratios of paired samples. Large
// semi-spaces: fewer scavenges, whose timing would add more noise than the 2% under test.
// node-flags: --min-semi-space-size=64 --max-semi-space-size=64
import { context, type Tracer } from '@opentelemetry/api';
import * as stepmark from 'stepmark-otel';
import { region, RuntimeMonitor } from 'stepmark-otel/runtime';
import { finish, heapAfterGc, nextTurn, report } from './measure.js';
import { provider } from './otelSetup.js';

const PAIRS = 31;
/** Untraced requests per sample. */
const N = 8_000;
const IN_FLIGHT = 16;

let sink = 0;
/** A request's own work: three turns of its promise chain and a little computing. */
async function work(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await Promise.resolve();
    sink += JSON.stringify({ i, at: sink }).length;
  }
}

type Request = (tracer: Tracer) => Promise<void>;

const untraced: Request = (tracer) =>
  tracer.startActiveSpan('request', async (span) => {
    await work();
    span.end();
  });

const traced: Request = (tracer) =>
  tracer.startActiveSpan('request', async (span) => {
    await context.with(stepmark.enable(), async () => {
      stepmark.record('request', 'received');
      await region('work', work);
    });
    span.end();
  });

/** A provider with the stepmark processor, with or without a monitor. */
function rig(monitor: RuntimeMonitor | undefined) {
  const processor = new stepmark.StepmarkSpanProcessor(
    monitor === undefined ? {} : { analyzers: [monitor] },
  );
  return { processor, ...provider([processor]) };
}
type Rig = ReturnType<typeof rig>;

/**
 * CPU nanoseconds per request of `n` requests, IN_FLIGHT at a time (the flush after untimed).
 * CPU time, not wall time: on a shared machine another process's turn on the core would count
 * in wall time, and these requests never wait on anything but the CPU.
 */
async function timed(r: Rig, request: Request, n: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i += IN_FLIGHT) {
    const batch: Promise<void>[] = [];
    for (let k = 0; k < IN_FLIGHT; k++) batch.push(request(r.tracer));
    await Promise.all(batch);
  }
  const used = process.cpuUsage(start);
  const ns = ((used.user + used.system) * 1000) / n;
  await r.processor.forceFlush();
  r.exporter.reset();
  await nextTurn();
  return ns;
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN;

/** `PAIRS` paired samples of `a` then `b` (order swapped every other pair); medians and ratio b/a. */
async function paired(
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<{ a: number; b: number; ratio: number; low: number; high: number }> {
  await a(); // warm-up
  await b();
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    if (i % 10 === 0) heapAfterGc();
    let x: number;
    let y: number;
    if (i % 2 === 0) {
      x = await a();
      y = await b();
    } else {
      y = await b();
      x = await a();
    }
    as.push(x);
    bs.push(y);
    ratios.push(y / x);
  }
  const sorted = [...ratios].sort((p, q) => p - q);
  return {
    a: median(as),
    b: median(bs),
    ratio: median(ratios),
    low: sorted[Math.floor(PAIRS / 4)] ?? Number.NaN,
    high: sorted[Math.floor((3 * PAIRS) / 4)] ?? Number.NaN,
  };
}

const us = (ns: number): string => `${(ns / 1000).toFixed(2)} µs`;
const spread = (r: { low: number; high: number }): string =>
  `quartiles of pairs ${r.low.toFixed(3)}-${r.high.toFixed(3)}x`;

// Each side does what it claims: traced requests carry a runtime with the monitor, and the
// monitor stops watching when none is open.
{
  const monitor = new RuntimeMonitor();
  const r = rig(monitor);
  await timed(r, traced, IN_FLIGHT);
  const finished = r.processor.recent(IN_FLIGHT);
  if (finished.length !== IN_FLIGHT || finished.some((t) => t.runtime === undefined)) {
    throw new Error('traced requests have no runtime');
  }
  if (monitor.stats().active) throw new Error('the monitor still watches with no request open');
  await r.provider.shutdown();
}

// Untraced requests, no traced request open: both processors idle; the monitor has nothing on.
// (Untraced requests never bind to a processor, so the two rigs can live side by side.)
const off = rig(undefined);
const on = rig(new RuntimeMonitor());
const untracedCost = await paired(
  () => timed(off, untraced, N),
  () => timed(on, untraced, N),
);
report(
  'untraced request, RuntimeMonitor on (time per request; 1.02x = 0.98x the requests/s)',
  untracedCost.ratio,
  'the same request, monitor off',
  { max: 1.02 },
  `${us(untracedCost.b)} vs ${us(untracedCost.a)} per request; ${spread(untracedCost)}`,
);

for (const r of [off, on]) await r.provider.shutdown();

// While a traced request is open, the monitor's async hook times every callback of the process:
// untraced requests running meanwhile pay for it. Paired against the same rig with none open.
const monitorOfOn = new RuntimeMonitor();
const watching = rig(monitorOfOn);
async function withTracedOpen(): Promise<number> {
  let release: () => void = () => undefined;
  const background = watching.tracer.startActiveSpan('background', async (span) => {
    await context.with(stepmark.enable(), () => new Promise<void>((r) => (release = r)));
    span.end();
  });
  try {
    if (!monitorOfOn.stats().active) throw new Error('the monitor is not watching');
    return await timed(watching, untraced, N);
  } finally {
    release();
    await background;
  }
}
const whileOpen = await paired(() => timed(watching, untraced, N), withTracedOpen);
report(
  'untraced request while a traced request is open, RuntimeMonitor on',
  whileOpen.ratio,
  'the same request with none open',
  undefined,
  `${us(whileOpen.b)} vs ${us(whileOpen.a)} per request; ${spread(whileOpen)}`,
);
await watching.provider.shutdown();

// Traced requests: a fresh rig per sample (a live processor adopts every enabled trace).
async function tracedSample(monitor: boolean): Promise<number> {
  const r = rig(monitor ? new RuntimeMonitor() : undefined);
  try {
    return await timed(r, traced, 1_000);
  } finally {
    await r.provider.shutdown();
  }
}
const tracedCost = await paired(
  () => tracedSample(false),
  () => tracedSample(true),
);
report(
  'traced request, RuntimeMonitor on',
  tracedCost.ratio,
  'the same traced request, monitor off',
  undefined,
  `${us(tracedCost.b)} vs ${us(tracedCost.a)} per request; ${spread(tracedCost)}; with the monitor every traced request's JSON is built`,
);
if (sink < 0) console.log(sink);
finish();
