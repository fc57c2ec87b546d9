// Issue 9: options of `enable` and `withTracing` as callers get them wrong. Either the call that
// is given them throws a TypeError or RangeError at once (options are checked where they are
// given), or recording works: no other exception, and none later, on the request's path.
import { context } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { RequestGate } from '../../src/http/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';
import { configureFuzz, fuzzTimeout } from './support/fuzzConfig.js';
import { coreOptions, isOptionRefusal } from './support/optionValues.js';
import {
  BudgetExceeded,
  measured,
  printSummary,
  type PropertyMeter,
} from './support/PropertyMeter.js';
import { scenario } from './support/scenario.js';

configureFuzz();

let h: Harness;
beforeAll(() => {
  // Ten recent traces, not the default hundred: see http.test.ts.
  h = setupOtel({ processor: { recentTraces: 10 } });
});
afterAll(async () => {
  await h.teardown();
  printSummary('options');
});

/** What the sink got is JSON; then the test's own sink and exporter are emptied. */
async function emitted(meter: PropertyMeter): Promise<void> {
  const traces = await meter.callAsync('forceFlush', () => h.traces(), 1_000);
  for (const t of traces) meter.call('JSON.stringify(emitted trace)', () => JSON.stringify(t));
  h.sink.clear();
  h.exporter.reset();
}

describe('fuzz: options', () => {
  it(
    'enable(options): refuses them at once with a TypeError/RangeError, or records',
    () =>
      measured('options: enable(options)', async (meter) => {
        await fc.assert(
          fc.asyncProperty(coreOptions, async (options) => {
            meter.case();
            const given = options.make() as stepmark.StepmarkOptions;
            await h.tracer.startActiveSpan('request', async (span) => {
              try {
                let ctx;
                try {
                  ctx = meter.call('enable', () => stepmark.enable(given));
                } catch (error) {
                  if (error instanceof BudgetExceeded) throw error;
                  if (error instanceof BudgetExceeded) throw error;
                  expect(isOptionRefusal(error), String(error)).toBe(true);
                  return;
                }
                await context.with(ctx, async () => {
                  scenario(meter);
                  await new Promise((resolve) => setImmediate(resolve));
                  scenario(meter);
                });
              } finally {
                span.end();
              }
            });
            await emitted(meter);
          }),
        );
      }),
    fuzzTimeout(200),
  );

  it(
    'withTracing(fn, options): refuses them before fn runs, or records',
    () =>
      measured('options: withTracing(fn, options)', async (meter) => {
        await fc.assert(
          fc.asyncProperty(coreOptions, fc.boolean(), async (options, async) => {
            meter.case();
            const given = options.make() as stepmark.StepmarkOptions;
            let ran = false;
            const fn = () => {
              ran = true;
              scenario(meter);
              return async ? new Promise((resolve) => setImmediate(resolve)) : 'done';
            };
            let result: unknown;
            try {
              result = meter.call('withTracing', () => stepmark.withTracing(fn, given));
            } catch (error) {
              if (error instanceof BudgetExceeded) throw error;
              expect(isOptionRefusal(error), String(error)).toBe(true);
              expect(ran, 'refused after fn ran').toBe(false);
              return;
            }
            expect(ran).toBe(true);
            await result;
            await emitted(meter);
          }),
        );
      }),
    fuzzTimeout(200),
  );

  it(
    'leaves no rejection of a callback option unhandled (entityFilter, clock, trigger, authorize)',
    () =>
      measured('options: callbacks returning a rejected promise', (meter) => {
        const where = fc.constantFrom('entityFilter', 'clock', 'trigger', 'authorize');
        return fc.assert(
          fc.asyncProperty(where, async (option) => {
            meter.case();
            // Rejected but already handled by this test (the runner must survive); stepmark's
            // own handling shows as a call of `then` after this point.
            let handled = false;
            const rejection = () => {
              const rejected = Promise.reject(new Error(`${option} rejected`));
              rejected.catch(() => undefined);
              const then = rejected.then.bind(rejected);
              rejected.then = ((...args: Parameters<typeof then>) => {
                handled = true;
                return then(...args);
              }) as typeof rejected.then;
              return rejected;
            };
            if (option === 'entityFilter' || option === 'clock') {
              await stepmark.withTracing(
                () => meter.call('recordEntity', () => stepmark.recordEntity('o', 's', 'a')),
                { [option]: rejection } as stepmark.StepmarkOptions,
              );
            } else {
              const gate = new RequestGate({ rateLimit: false, [option]: rejection });
              const head = { headers: { 'x-stepmark': 'true' } };
              meter.call('RequestGate.open', () => gate.open(head, head))?.finish();
            }
            await emitted(meter);
            expect(handled, `the rejection of ${option} is left unhandled`).toBe(true);
          }),
        );
      }),
    fuzzTimeout(50),
  );
});
