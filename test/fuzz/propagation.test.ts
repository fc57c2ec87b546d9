// Issue 9: the W3C parsers and extraction with arbitrary header strings: never a throw, each
// call within its budget, and what they return is what the specs allow.
import { propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { extractW3C, parseBaggage, parseTraceparent } from '../../src/propagation/index.js';
import { configureFuzz, fuzzTimeout } from './support/fuzzConfig.js';
import { baggageValue, traceparentValue, tracestateValue } from './support/headerValues.js';
import { weirdString } from './support/hostile.js';
import { measured, printSummary } from './support/PropertyMeter.js';

configureFuzz();
afterAll(() => printSummary('propagation'));

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

describe('fuzz: propagation', () => {
  it(
    'parseTraceparent takes any traceparent and tracestate',
    () =>
      measured('propagation: parseTraceparent', (meter) => {
        fc.assert(
          fc.property(maybe(traceparentValue), maybe(tracestateValue), (value, state) => {
            meter.case();
            const sc = meter.call('parseTraceparent', () => parseTraceparent(value, state));
            if (sc !== undefined) {
              expect(sc.traceId).toMatch(/^[0-9a-f]{32}$/);
              expect(sc.spanId).toMatch(/^[0-9a-f]{16}$/);
              expect(sc.isRemote).toBe(true);
              meter.call('traceState.serialize', () => sc.traceState?.serialize());
            }
          }),
        );
      }),
    fuzzTimeout(10),
  );

  it(
    'parseBaggage takes any baggage header',
    () =>
      measured('propagation: parseBaggage', (meter) => {
        fc.assert(
          fc.property(maybe(baggageValue), (header) => {
            meter.case();
            const baggage = meter.call('parseBaggage', () => parseBaggage(header));
            if (baggage !== undefined) {
              const entries = baggage.getAllEntries();
              expect(entries.length).toBeGreaterThan(0);
              expect(entries.length).toBeLessThanOrEqual(180);
            }
          }),
        );
      }),
    fuzzTimeout(10),
  );

  it(
    'extractW3C takes any headers: records, repeated values, Fetch-style Headers',
    () =>
      measured('propagation: extractW3C', (meter) => {
        const value = fc.oneof(
          maybe(fc.oneof(traceparentValue, tracestateValue, baggageValue, weirdString)),
          fc.array(fc.oneof(traceparentValue, baggageValue), { maxLength: 3 }),
        );
        const headers = fc.record(
          { traceparent: value, tracestate: value, baggage: value },
          { requiredKeys: [] },
        );
        fc.assert(
          fc.property(headers, fc.boolean(), (record, fetchStyle) => {
            meter.case();
            const source = fetchStyle
              ? {
                  get: (name: string) => {
                    const v = record[name as keyof typeof record];
                    return Array.isArray(v) ? v.join(', ') : (v ?? null);
                  },
                }
              : record;
            const ctx = meter.call('extractW3C', () => extractW3C(ROOT_CONTEXT, source));
            const sc = trace.getSpanContext(ctx);
            if (sc !== undefined) expect(sc.traceId).toMatch(/^[0-9a-f]{32}$/);
            meter.call('baggage.getAllEntries', () => propagation.getBaggage(ctx)?.getAllEntries());
          }),
        );
      }),
    fuzzTimeout(10),
  );
});
