// Options objects as callers get them wrong: the right names with values of the wrong type or out
// of range, callbacks that throw or return nonsense, and whole options that are not objects.
import fc, { type Arbitrary } from 'fast-check';
import {
  anything,
  exotic,
  hostile,
  hostileMeta,
  throwingProxy,
  weirdString,
  type Hostile,
} from './hostile.js';

const constants = (table: Record<string, () => unknown>): Arbitrary<Hostile> =>
  fc.constantFrom(...Object.keys(table)).map((name) => hostile(name, table[name] as () => unknown));

/** Numbers and near-numbers at every edge a count or a duration can have. */
export const numberish: Arbitrary<Hostile> = fc.oneof(
  constants({
    '0': () => 0,
    '-0': () => -0,
    '-1': () => -1,
    '0.5': () => 0.5,
    NaN: () => NaN,
    Infinity: () => Infinity,
    '-Infinity': () => -Infinity,
    '2^53': () => 2 ** 53,
    '1e308': () => 1e308,
    "'10'": () => '10',
    '10n': () => 10n,
    'new Number(5)': () => new Number(5),
  }),
  fc.integer({ min: -5, max: 50_000 }).map((n) => hostile(String(n), () => n)),
);

/** Anything at all, for an option of any type. */
export const wrongValue: Arbitrary<Hostile> = fc.oneof(anything, exotic, numberish);

/** Callbacks that misbehave in each way a callback can. */
const callback = (ok: () => unknown): Arbitrary<Hostile> =>
  constants({
    'a working callback': () => ok,
    'a callback that throws': () => () => {
      throw new Error('callback');
    },
    'a callback that throws a Proxy': () => () => {
      throw throwingProxy();
    },
    'a callback returning a Proxy': () => () => throwingProxy(),
    'a callback returning undefined': () => () => undefined,
    "a callback returning 'yes'": () => () => 'yes',
    // Marked handled here so that the runner survives; whether stepmark handles the rejections
    // of the callbacks it calls is checked in options.test.ts.
    'an async callback that rejects': () => () => {
      const rejected = Promise.reject(new Error('async'));
      rejected.catch(() => undefined);
      return rejected;
    },
    'a callback returning a thenable whose then throws': () => () => ({
      then() {
        throw new Error('then');
      },
    }),
  });

const clock = fc.oneof(
  callback(() => new Date()),
  constants({
    'a clock returning Invalid Date': () => () => new Date(NaN),
    'a clock returning year 275760': () => () => new Date(8.64e15),
    'a clock returning a number': () => () => Date.now(),
    'a clock returning a string': () => () => '2026-01-01',
  }),
);

const stringList = fc.oneof(
  fc.array(weirdString, { maxLength: 6 }).map((a) => hostile(JSON.stringify(a), () => a)),
  constants({
    '[]': () => [],
    "['a'.repeat(100_000)]": () => ['a'.repeat(100_000)],
    'a list of 10,000 words': () => Array.from({ length: 10_000 }, (_, i) => `w${i}`),
    '[null, 5, {}]': () => [null, 5, {}],
    '[a throwing Proxy]': () => [throwingProxy()],
    'a sparse list of length 2^20': () => {
      const a: string[] = [];
      a.length = 2 ** 20;
      a[7] = 'token';
      return a;
    },
    'a Proxy of a list, every trap throws': () => throwingProxy('array'),
  }),
);

const valueRules = fc
  .array(
    constants({
      "'jwt'": () => 'jwt',
      "'bearer'": () => 'bearer',
      "'card'": () => 'card',
      "'nope'": () => 'nope',
      '/x/g': () => /x/g,
      '/(?:)/g (matches the empty string)': () => /(?:)/g,
      '/^/m': () => /^/m,
      '/$/y': () => /$/y,
      '/\\b/gu': () => /\b/gu,
      '/a/d': () => /a/d,
      '5': () => 5,
      null: () => null,
      '{}': () => ({}),
      'a throwing Proxy': () => throwingProxy(),
      'a RegExp whose exec throws': () =>
        Object.assign(/x/g, {
          exec() {
            throw new Error('exec');
          },
        }),
    }),
    { maxLength: 4 },
  )
  .map((rules) =>
    hostile(`[${rules.map((r) => r.label).join(', ')}]`, () => rules.map((r) => r.make())),
  );

/** An object with some of `fields` (each value drawn from its arbitrary), printed field by field. */
export function hostileRecord(fields: Record<string, Arbitrary<Hostile>>): Arbitrary<Hostile> {
  return fc.record(fields, { requiredKeys: [] }).map((picked) => {
    const entries = Object.entries(picked) as Array<[string, Hostile]>;
    return hostile(`{ ${entries.map(([k, v]) => `${k}: ${v.label}`).join(', ')} }`, () =>
      Object.fromEntries(entries.map(([k, v]) => [k, v.make()])),
    );
  });
}

/** Options of `enable`, `withTracing` and `tracerOptions`, mostly wrong. */
export const coreOptions: Arbitrary<Hostile> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(hostile('undefined', () => undefined)) },
  { weight: 2, arbitrary: wrongValue },
  {
    weight: 6,
    arbitrary: hostileRecord({
      maxEvents: fc.oneof(numberish, wrongValue),
      maxEntities: fc.oneof(numberish, wrongValue),
      maxStringLength: fc.oneof(numberish, wrongValue),
      clock: fc.oneof(clock, wrongValue),
      traceMeta: hostileMeta,
      entityFilter: fc.oneof(
        callback(() => true),
        wrongValue,
      ),
      redactKeys: fc.oneof(stringList, wrongValue),
      redactValues: fc.oneof(valueRules, wrongValue),
    }),
  },
);

/** Sinks that misbehave: throw, reject, lack `export`, or are no object at all. */
const sink = constants({
  'a working sink': () => ({ export() {} }),
  'a sink whose export throws': () => ({
    export() {
      throw new Error('export');
    },
  }),
  'a sink whose export rejects': () => ({
    export: () => Promise.reject(new Error('rejected')),
  }),
  'a sink whose flush and shutdown throw': () => ({
    export() {},
    forceFlush() {
      throw new Error('flush');
    },
    shutdown() {
      throw new Error('shutdown');
    },
  }),
  'a sink with no export': () => ({}),
  null: () => null,
  '5': () => 5,
  'a throwing Proxy': () => throwingProxy(),
});

const sinks = fc.oneof(
  fc
    .array(sink, { maxLength: 3 })
    .map((s) => hostile(`[${s.map((x) => x.label).join(', ')}]`, () => s.map((x) => x.make()))),
  wrongValue,
);

const analyzer = constants({
  'an analyzer whose hooks throw': () => ({
    onRecord() {
      throw new Error('onRecord');
    },
    onTraceComplete() {
      throw new Error('onTraceComplete');
    },
  }),
  'an analyzer that adds a BigInt': () => ({
    onTraceComplete(t: Record<string, unknown>) {
      t.big = 1n;
    },
  }),
  'an analyzer that empties the trace': () => ({
    onTraceComplete(t: Record<string, unknown>) {
      for (const k of Object.keys(t)) delete t[k];
    },
  }),
  '{}': () => ({}),
  null: () => null,
  'a throwing Proxy': () => throwingProxy(),
});

const writer = constants({
  '{}': () => ({}),
  'a writer that throws': () => ({
    write() {
      throw new Error('write');
    },
    writeTraceMeta() {
      throw new Error('writeTraceMeta');
    },
  }),
  'a writer returning NaN': () => ({ write: () => NaN, writeTraceMeta() {} }),
  'a throwing Proxy': () => throwingProxy(),
});

/** Options of `new StepmarkSpanProcessor(...)`, mostly wrong. */
export const processorOptions: Arbitrary<Hostile> = fc.oneof(
  { weight: 1, arbitrary: wrongValue },
  {
    weight: 6,
    arbitrary: hostileRecord({
      onFinish: fc.oneof(
        callback(() => undefined),
        wrongValue,
      ),
      sinks,
      exporters: sinks,
      maxTraces: numberish,
      traceTtlMs: numberish,
      maxSpans: numberish,
      mode: fc.oneof(
        fc.constantFrom('always', 'on-demand', 'ALWAYS', '').map((m) => hostile(`'${m}'`, () => m)),
        wrongValue,
      ),
      tracerOptions: coreOptions,
      writer: fc.oneof(writer, wrongValue),
      maxPendingExports: numberish,
      exportTimeoutMs: fc.oneof(numberish, wrongValue),
      recentTraces: numberish,
      analyzers: fc.oneof(
        fc
          .array(analyzer, { maxLength: 3 })
          .map((a) =>
            hostile(`[${a.map((x) => x.label).join(', ')}]`, () => a.map((x) => x.make())),
          ),
        wrongValue,
      ),
    }),
  },
);

/** A RangeError or TypeError: what a wrong option may throw, where it is given. */
export function isOptionRefusal(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError;
}
