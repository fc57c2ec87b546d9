// Issue 10: options are checked where they are given. `checkOptions` throws what `enable` and
// `withTracing` (on the request path) only report once, applying the default.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { resetWarnings } from '../../src/core/diagnostics.js';
import { captureDiag, type DiagCapture } from '../support/diagCapture.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

/** A wrong option, the error class it gets, and a part of its message. */
type Row = [label: string, options: unknown, error: typeof TypeError, message: string];

const wrong: Row[] = [
  [
    'maxEvents: -1',
    { maxEvents: -1 },
    RangeError,
    'maxEvents must be a non-negative integer (0 = no limit), got -1',
  ],
  [
    "maxEvents: '3'",
    { maxEvents: '3' },
    TypeError,
    "maxEvents must be a non-negative integer (0 = no limit), got '3'",
  ],
  [
    'maxEvents: 0.5',
    { maxEvents: 0.5 },
    RangeError,
    'maxEvents must be a non-negative integer (0 = no limit), got 0.5',
  ],
  [
    'maxEvents: NaN',
    { maxEvents: NaN },
    RangeError,
    'maxEvents must be a non-negative integer (0 = no limit), got NaN',
  ],
  [
    'maxEvents: Infinity',
    { maxEvents: Infinity },
    RangeError,
    'maxEvents must be a non-negative integer (0 = no limit), got Infinity',
  ],
  [
    'maxEvents: 10n',
    { maxEvents: 10n },
    TypeError,
    'maxEvents must be a non-negative integer (0 = no limit), got 10n',
  ],
  [
    'maxEntities: -5',
    { maxEntities: -5 },
    RangeError,
    'maxEntities must be a non-negative integer (0 = no limit), got -5',
  ],
  [
    'maxStringLength: 4',
    { maxStringLength: 4 },
    RangeError,
    'maxStringLength must be an integer of at least 16, got 4',
  ],
  [
    'maxStringLength: 0',
    { maxStringLength: 0 },
    RangeError,
    'maxStringLength must be an integer of at least 16, got 0',
  ],
  [
    "redactKeys: 'password'",
    { redactKeys: 'password' },
    TypeError,
    "redactKeys must be an array of strings, got 'password'",
  ],
  [
    'redactKeys: [null]',
    { redactKeys: [null] },
    TypeError,
    'redactKeys[0] must be a non-empty string, got null',
  ],
  [
    'redactKeys: 300 keys',
    { redactKeys: Array.from({ length: 300 }, (_, i) => `k${i}`) },
    RangeError,
    'redactKeys: at most 256 entries, got an array of 300',
  ],
  [
    "redactValues: ['ssn']",
    { redactValues: ['ssn'] },
    TypeError,
    "redactValues[0] must be 'jwt', 'bearer', 'card' or a RegExp, got 'ssn'",
  ],
  [
    "errorActions: 'blocked'",
    { errorActions: 'blocked' },
    TypeError,
    "errorActions must be an array of strings, got 'blocked'",
  ],
  [
    "errorActions: ['']",
    { errorActions: [''] },
    TypeError,
    "errorActions[0] must be a non-empty string, got ''",
  ],
  [
    'errorActions: 257 actions',
    { errorActions: Array.from({ length: 257 }, (_, i) => `a${i}`) },
    RangeError,
    'errorActions: at most 256 entries',
  ],
  [
    "clock: '2026-01-01'",
    { clock: '2026-01-01' },
    TypeError,
    "clock must be a function () => Date, got '2026-01-01': use () => new Date('2026-01-01')",
  ],
  [
    "entityFilter: 'order_'",
    { entityFilter: 'order_' },
    TypeError,
    "entityFilter must be a function (entityId) => boolean, got 'order_': use (id) => id.startsWith('order_')",
  ],
  [
    "traceMeta: 'checkout'",
    { traceMeta: 'checkout' },
    TypeError,
    "traceMeta must be an object of request-level meta, got 'checkout'",
  ],
  ['options: 5', 5, TypeError, 'the options of checkOptions must be an object, got 5'],
  ['options: null', null, TypeError, 'the options of checkOptions must be an object, got null'],
];

describe('checkOptions', () => {
  it.each(wrong)(
    'refuses %s, naming it, what it got and what it takes',
    (_label, options, error, message) => {
      expect(() => stepmark.checkOptions(options)).toThrow(error);
      expect(() => stepmark.checkOptions(options)).toThrow(`stepmark-otel: ${message}`);
    },
  );

  it('returns right options as they are; undefined means the defaults', () => {
    const options = {
      maxEvents: 0,
      maxEntities: 0,
      maxStringLength: 16,
      clock: () => new Date(0),
      traceMeta: { route: '/checkout' },
      entityFilter: (id: string) => id.startsWith('order_'),
      redactKeys: [],
      redactValues: ['jwt' as const, /\bAKIA[0-9A-Z]{16}\b/],
      errorActions: ['blocked'],
      sharedWithAnotherLibrary: 'an unknown name is no error',
    };
    expect(stepmark.checkOptions(options)).toBe(options);
    expect(stepmark.checkOptions(undefined)).toBeUndefined();
    expect(stepmark.checkOptions({ maxEvents: undefined, clock: undefined })).toEqual({
      maxEvents: undefined,
      clock: undefined,
    });
  });

  it('turns options that throw when read into a TypeError', () => {
    const trap = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
      },
    );
    expect(() => stepmark.checkOptions(trap)).toThrow(TypeError);
    expect(() => stepmark.checkOptions(trap)).toThrow(/its options could not be read/);
  });
});

describe('options on the request path (enable, withTracing)', () => {
  let h: Harness;
  let diag: DiagCapture;
  beforeEach(() => {
    resetWarnings();
    h = setupOtel();
    diag = captureDiag();
  });
  afterEach(async () => {
    await h.teardown();
    resetWarnings();
  });

  it('never throw: a wrong option is reported once per option and its default applies', async () => {
    const before = stepmark.stats().internalErrors;
    const given = { maxEvents: -1, redactKeys: 'note' } as never;
    for (let i = 0; i < 3; i++) {
      const trace = await h.collected(
        () => stepmark.record('s', 'a', { password: 'p', note: 'n' }),
        given,
      );
      // The default key list applies (password redacted), not 'note'.
      expect(trace.events?.[0]?.meta).toEqual({ password: '[REDACTED]', note: 'n' });
    }
    stepmark.withTracing(() => stepmark.record('s', 'a'), given);
    const mine = diag.messages.filter((m) => m.includes('the default applies'));
    expect(mine).toEqual([
      'stepmark-otel: maxEvents must be a non-negative integer (0 = no limit), got -1; the default applies (stepmark.checkOptions(options) at start-up throws instead)',
      "stepmark-otel: redactKeys must be an array of strings, got 'note'; the default applies (stepmark.checkOptions(options) at start-up throws instead)",
    ]);
    expect(stepmark.stats().misconfigurations).toEqual([
      'invalid-option:maxEvents',
      'invalid-option:redactKeys',
    ]);
    // Every such call is counted, reported or not.
    expect(stepmark.stats().internalErrors - before).toBe(8);
  });

  it('applies the defaults to options that are no object', async () => {
    const trace = await h.collected(() => stepmark.record('s', 'a'), 'fast' as never);
    expect(trace.events?.map((e) => e.action)).toEqual(['a']);
    expect(stepmark.stats().misconfigurations).toEqual(['invalid-option:options']);
    expect(diag.messages).toContain(
      "stepmark-otel: the options must be an object, got 'fast'; the default applies (stepmark.checkOptions(options) at start-up throws instead)",
    );
  });

  it('maxEntities: 0 means no limit, as maxEvents: 0 does', async () => {
    const trace = await h.collected(
      () => {
        for (let i = 0; i < 12_000; i++) stepmark.recordEntity(`e${i}`, 's', 'a');
      },
      { maxEntities: 0, maxEvents: 0 },
    );
    expect(Object.keys(trace.entities ?? {})).toHaveLength(12_000);
    expect(trace.dropped_entities).toBeUndefined();
    expect(trace.dropped_events).toBeUndefined();
    expect(stepmark.stats().misconfigurations).toEqual([]);
  });

  it('takes maxStringLength: 16, the shortest it allows', async () => {
    const trace = await h.collected(() => stepmark.record('s', 'x'.repeat(40)), {
      maxStringLength: 16,
    });
    expect(trace.events?.[0]?.action.length).toBeLessThan(40);
    expect(stepmark.stats().misconfigurations).toEqual([]);
  });
});
