// Issue 9: the recording API under arbitrary ids, labels and meta, inside a real OpenTelemetry
// set-up (provider, StepmarkSpanProcessor, in-memory exporter). Every call returns normally
// within its budget, what collect() and the sink see is JSON, and the heap after GC stays bounded.
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import fc, { type Arbitrary } from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import * as concurrency from '../../src/concurrency/index.js';
import type { Trace } from '../../src/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';
import { configureFuzz, FUZZ_RUNS, fuzzTimeout } from './support/fuzzConfig.js';
import {
  hostileId,
  hostileLabel,
  hostileMeta,
  freshStrings,
  type Hostile,
} from './support/hostile.js';
import { measured, printSummary, type PropertyMeter } from './support/PropertyMeter.js';

configureFuzz();

let h: Harness;
beforeAll(() => {
  h = setupOtel({ processor: { analyzers: [new concurrency.RaceDetector()] } });
});
afterAll(async () => {
  await h.teardown();
  printSummary('core');
});

/** One recording call: `prepare()` builds its arguments and returns the call itself. */
interface Call {
  readonly api: string;
  readonly label: string;
  prepare(): () => unknown;
}

function call(api: string, args: readonly Hostile[], run: (...values: never[]) => unknown): Call {
  const label = `${api}(${args.map((a) => a.label).join(', ')})`;
  return {
    api,
    label,
    prepare() {
      const values = args.map((a) => a.make()) as never[];
      return () => run(...values);
    },
    [fc.toStringMethod]: () => label,
  } as Call;
}

type Api = readonly [name: string, run: (...values: never[]) => unknown];

/** Calls of every API in `apis`, each with arguments drawn from `args` (shrinks per API). */
function calls(args: readonly Arbitrary<Hostile>[], apis: readonly Api[]): Arbitrary<Call> {
  return fc.oneof(
    ...apis.map(([api, run]) => fc.tuple(...args).map((values) => call(api, values, run))),
  );
}

const orders = stepmark.scope('order');

/** Runs `exit` the three ways a caller can: with meta, as a disposable, and a second time. */
function exitAll(exit: stepmark.Exit, meta: unknown): void {
  exit(meta as never);
  exit[Symbol.dispose]();
  exit();
}

/** Calls whose entity id is hostile. */
const idCalls = calls(
  [hostileId],
  [
    ['track', (x) => stepmark.track(x, { n: 1 }, { kind: 'order' })],
    ['recordEntity', (x) => stepmark.recordEntity(x, 'stage', 'action', { n: 1 })],
    ['stepEntity', (x) => stepmark.stepEntity(x, 'action')],
    ['enterEntity+exit', (x) => exitAll(stepmark.enterEntity(x), { n: 1 })],
    ['scope.track', (x) => orders.track(x, { n: 1 })],
    ['scope.recordEvent', (x) => orders.recordEvent(x, 'stage', 'action')],
    ['scope.step', (x) => orders.step(x, 'action')],
    ['scope.enter+exit', (x) => exitAll(orders.enter(x), undefined)],
  ],
);

/** Decision calls whose meta is hostile. */
const decisionMetaCalls = calls(
  [hostileMeta],
  [
    ['recordEntity', (meta) => stepmark.recordEntity('o', 's', 'a', meta)],
    ['record', (meta) => stepmark.record('s', 'a', meta)],
    ['step', (meta) => stepmark.step('a', meta)],
    ['stepEntity', (meta) => stepmark.stepEntity('o', 'a', meta)],
    ['scope.recordEvent', (meta) => orders.recordEvent('o', 's', 'a', meta)],
    ['scope.step', (meta) => orders.step('o', 'a', meta)],
  ],
);

/** `track` calls whose meta is hostile (merged key by key over earlier meta). */
const trackMetaCalls = calls(
  [hostileMeta],
  [
    ['track', (meta) => stepmark.track('o', meta)],
    ['scope.track', (meta) => orders.track('o', meta)],
  ],
);

/** enter/exit pairs whose meta (entering and exiting) is hostile. */
const enterMetaCalls = calls(
  [hostileMeta, hostileMeta],
  [
    ['enter+exit', (meta, exitMeta) => exitAll(stepmark.enter(meta), exitMeta)],
    ['enterEntity+exit', (meta, exitMeta) => exitAll(stepmark.enterEntity('o', meta), exitMeta)],
    ['scope.enter+exit', (meta, exitMeta) => exitAll(orders.enter('o', meta), exitMeta)],
  ],
);

/** State accesses, functions and errors whose variable, values, names and meta are hostile. */
const concurrencyCalls = calls(
  [hostileLabel, hostileMeta, hostileMeta],
  [
    [
      'trackStateChange',
      (variable, oldValue, newValue) =>
        concurrency.trackStateChange(variable as never, oldValue, newValue, 'write'),
    ],
    [
      'trackStateChange(access)',
      (access, value) => concurrency.trackStateChange('x', value, value, access as never),
    ],
    [
      'trackAsync',
      (name, value) =>
        concurrency.trackAsync(name as never, () =>
          concurrency.trackStateChange('x', 0, value, 'read'),
        ),
    ],
    [
      'trackFunction',
      (name, arg) => concurrency.trackFunction(name as never, [arg], (a: unknown) => a),
    ],
    ['trackError', (error, meta) => concurrency.trackError(error, meta as never)],
    [
      'trackLockAcquire+Release',
      (id) => {
        concurrency.trackLockAcquire(id as never);
        concurrency.trackLockRelease(id as never);
      },
    ],
  ],
);

/** Calls whose stage or action is hostile (typed strings, passed anything). */
const labelCalls = calls(
  [hostileLabel, hostileLabel],
  [
    ['recordEntity', (stage, action) => stepmark.recordEntity('o', stage, action)],
    ['record', (stage, action) => stepmark.record(stage, action)],
    ['step', (action) => stepmark.step(action)],
    ['stepEntity', (action) => stepmark.stepEntity('o', action)],
    ['scope.recordEvent', (stage, action) => orders.recordEvent('o', stage, action)],
    ['scope.step', (action) => orders.step('o', action)],
  ],
);

/** `track` with a hostile kind, or a hostile options object. */
const kindCalls = calls(
  [hostileLabel],
  [
    ['track(id, meta, { kind })', (kind) => stepmark.track('o', undefined, { kind })],
    ['track(id, meta, options)', (options) => stepmark.track('o', { n: 1 }, options)],
  ],
);

/** `scope(kind)` with a hostile kind, then each of its methods. */
const scopeCalls = calls(
  [hostileLabel],
  [
    [
      'scope(kind) and its methods',
      (kind) => {
        const s = stepmark.scope(kind);
        s.track('o', { n: 1 });
        s.recordEvent('o', 's', 'a');
        s.step('o', 'a');
        exitAll(s.enter('o'), undefined);
      },
    ],
  ],
);

/** Read-only calls, also made between the others. */
const readCalls = calls(
  [],
  [
    ['enabled', () => stepmark.enabled()],
    ['stats', () => stepmark.stats()],
    ['collect', () => JSON.stringify(stepmark.collect())],
  ],
);

/** Runs `calls` timed, one by one. */
function runCalls(meter: PropertyMeter, calls: readonly Call[]): void {
  for (const c of calls) {
    const run = c.prepare();
    meter.call(c.api, run);
  }
}

/**
 * One traced request running `body`; then what collect() saw at its end and what the sink got
 * must be JSON, and the request must have been emitted. With `keep`, both are kept there instead,
 * not printed yet: JSON.stringify flattens the strings it reads, which would let go of the big
 * originals a cut string may still point to, and hide that it kept them.
 */
async function tracedRequest(
  meter: PropertyMeter,
  body: () => Promise<void> | void,
  options?: stepmark.StepmarkOptions,
  keep: Trace[] | undefined = undefined,
): Promise<void> {
  const seen = await h.request(async () => {
    await body();
    return meter.call('collect', () => stepmark.collect());
  }, options);
  expect(seen).toBeDefined();
  const traces = await h.traces();
  expect(traces.length).toBeGreaterThan(0);
  if (keep !== undefined) keep.push(seen as Trace, ...traces);
  else {
    meter.call('JSON.stringify(collect())', () => JSON.stringify(seen));
    for (const t of traces) meter.call('JSON.stringify(emitted trace)', () => JSON.stringify(t));
  }
  // The test's own sink and exporter keep everything: empty them so the heap shows stepmark's.
  h.sink.clear();
  h.exporter.reset();
}

/** A property over lists of calls made in one traced request. */
function callsProperty(
  calls: Arbitrary<Call>,
  maxLength: number,
): (meter: PropertyMeter) => Promise<void> {
  return (meter) =>
    fc.assert(
      fc.asyncProperty(fc.array(calls, { minLength: 1, maxLength }), async (list) => {
        meter.case();
        await tracedRequest(meter, () => runCalls(meter, list));
      }),
    );
}

describe('fuzz: recording API', () => {
  it(
    'takes any entity id',
    () => measured('core: hostile entity ids', callsProperty(idCalls, 8)),
    fuzzTimeout(200),
  );

  it(
    'takes any decision meta (cycles, DAGs, Proxies, getters that throw, huge keys)',
    () => measured('core: hostile decision meta', callsProperty(decisionMetaCalls, 4)),
    fuzzTimeout(1_000),
  );

  it(
    'takes any track meta',
    () => measured('core: hostile track meta', callsProperty(trackMetaCalls, 4)),
    fuzzTimeout(1_000),
  );

  it(
    'takes any enter and exit meta',
    () => measured('core: hostile enter/exit meta', callsProperty(enterMetaCalls, 4)),
    fuzzTimeout(1_000),
  );

  it(
    'takes any state access, function, error and lock id (stepmark-otel/concurrency)',
    () => measured('core: hostile concurrency calls', callsProperty(concurrencyCalls, 6)),
    fuzzTimeout(1_000),
  );

  it(
    'takes any stage and action',
    () => measured('core: hostile stage/action', callsProperty(labelCalls, 8)),
    fuzzTimeout(200),
  );

  it(
    'takes any kind and track options',
    () => measured('core: hostile track kind/options', callsProperty(kindCalls, 8)),
    fuzzTimeout(200),
  );

  it(
    'takes any scope kind',
    () => measured('core: hostile scope(kind)', callsProperty(scopeCalls, 4)),
    fuzzTimeout(200),
  );

  it(
    'tracks one entity with many distinct meta keys in linear time',
    () =>
      measured('core: track with many distinct keys', async (meter) => {
        const sizes = fc.oneof(
          fc.integer({ min: 1, max: 500 }),
          fc.integer({ min: 500, max: 5_000 }),
        );
        await fc.assert(
          fc.asyncProperty(sizes, async (keys) => {
            meter.case();
            await tracedRequest(meter, () => {
              // One batch, one budget: a quadratic merge shows here, not in any single call.
              meter.call(
                `${keys} × track(id, { k_i })`,
                () => {
                  for (let i = 0; i < keys; i++) stepmark.track('o', { [`k${i}`]: i });
                },
                // 213 ms at most for 5,000 calls in 1,000 cases; quadratic, 5,000 took 3.5 s.
                2_000,
              );
            });
          }),
        );
      }),
    fuzzTimeout(1_000),
  );

  it(
    'keeps no huge caller string alive (values, keys, ids, labels, request meta)',
    async () => {
      const kept: Trace[] = [];
      await measured('core: fresh huge strings', async (meter) => {
        // Mostly megabytes, and every emitted trace is kept, as a consumer that stores traces
        // would: if cut strings kept their originals, the kept traces would hold far more than
        // the heap bound (30 cases of 1 to 10 MB each).
        const value = freshStrings(fc.constantFrom(1_000_000, 4_000_000, 10_000_000));
        const key = freshStrings(fc.constantFrom(500_000, 1_000_000, 2_000_000));
        const huge = fc.oneof(
          fc.tuple(
            fc.constantFrom('value', 'track value', 'id', 'stage', 'kind', 'request meta'),
            value,
          ),
          fc.tuple(fc.constantFrom('key', 'track key', 'request meta key'), key),
        );
        await fc.assert(
          fc.asyncProperty(huge, async ([at, string]) => {
            meter.case();
            const text = string.make();
            const options: stepmark.StepmarkOptions | undefined =
              at === 'request meta'
                ? { traceMeta: { note: text } }
                : at === 'request meta key'
                  ? { traceMeta: { [text]: 1 } }
                  : undefined;
            await tracedRequest(
              meter,
              () => {
                meter.call(`huge ${at}`, () => {
                  if (at === 'value') stepmark.record('s', 'a', { body: text });
                  else if (at === 'track value') stepmark.track('o', { body: text });
                  else if (at === 'key') stepmark.record('s', 'a', { [text]: 1 });
                  else if (at === 'track key') stepmark.track('o', { [text]: 1 });
                  else if (at === 'id') stepmark.recordEntity(text, 's', 'a');
                  else if (at === 'stage') stepmark.recordEntity('o', text, text);
                  else if (at === 'kind') stepmark.track('o', { n: 1 }, { kind: text });
                  else stepmark.record('s', 'a');
                });
              },
              options,
              kept,
            );
          }),
          // Each case allocates up to 20 MB: fewer of them, still dozens of traces kept.
          { numRuns: Math.max(30, Math.ceil(FUZZ_RUNS / 2)) },
        );
      });
      // Printed only now that the heap was measured, so that the traces were alive then, as kept.
      expect(kept.length).toBeGreaterThan(0);
      for (const t of kept) JSON.stringify(t);
    },
    fuzzTimeout(500),
  );

  it(
    'takes every entry point interleaved: sync, across awaits, nested, outside and after a request',
    () =>
      measured('core: interleaved calls', async (meter) => {
        const anyCall = fc.oneof(
          idCalls,
          decisionMetaCalls,
          trackMetaCalls,
          enterMetaCalls,
          labelCalls,
          kindCalls,
          scopeCalls,
          readCalls,
        );
        type Step =
          | { kind: 'call'; call: Call }
          | { kind: 'await'; immediate: boolean }
          | { kind: 'nested'; calls: Call[] }
          | { kind: 'outside'; calls: Call[] }
          | { kind: 'late'; calls: Call[] };
        const step: Arbitrary<Step> = fc.oneof(
          { weight: 6, arbitrary: anyCall.map((c): Step => ({ kind: 'call', call: c })) },
          {
            weight: 2,
            arbitrary: fc.boolean().map((immediate): Step => ({ kind: 'await', immediate })),
          },
          ...(['nested', 'outside', 'late'] as const).map((kind) => ({
            weight: 1,
            arbitrary: fc.array(anyCall, { maxLength: 3 }).map((calls): Step => ({ kind, calls })),
          })),
        );
        await fc.assert(
          fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
            meter.case();
            const late: Call[] = [];
            await tracedRequest(meter, async () => {
              for (const s of steps) {
                if (s.kind === 'call') runCalls(meter, [s.call]);
                else if (s.kind === 'await')
                  await (s.immediate ? new Promise((r) => setImmediate(r)) : Promise.resolve());
                else if (s.kind === 'nested')
                  meter.call('withTracing', () =>
                    stepmark.withTracing(() => runCalls(meter, s.calls)),
                  );
                else if (s.kind === 'outside')
                  context.with(ROOT_CONTEXT, () => runCalls(meter, s.calls));
                else late.push(...s.calls.map((c) => hostileBound(c)));
              }
            });
            // A stray callback of the finished request: its context still holds the session.
            runCalls(meter, late);
          }),
        );
      }),
    fuzzTimeout(300),
  );
});

/** `c` bound to the context active now, to run after the request ended (a stray callback). */
function hostileBound(c: Call): Call {
  const bound = context.bind(context.active(), (run: () => unknown) => run());
  return {
    ...c,
    prepare: () => {
      const run = c.prepare();
      return () => bound(run);
    },
  };
}
