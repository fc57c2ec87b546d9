// Issue 9: the Jaeger reader (OTLP/JSON from /api/v3 into the JSON trace) and mergeTraces with
// arbitrary JSON and with mutated real documents: no throw but the documented Jaeger errors,
// each call within its budget, the result is JSON, and Object.prototype is left alone.
import fc, { type Arbitrary, type JsonValue } from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import {
  JaegerHttpError,
  JaegerUnreachableError,
  rebuildTraces,
  recordingOrder,
  TraceNotFoundError,
  type OtlpTracesData,
} from '../../src/jaeger/index.js';
import { configureFuzz, fuzzTimeout } from './support/fuzzConfig.js';
import { hostile, type Hostile } from './support/hostile.js';
import { describeMutations, mutate, mutation, prototypeKeys } from './support/jsonMutations.js';
import { measured, printSummary, type PropertyMeter } from './support/PropertyMeter.js';
import { recordExport } from './support/recordExport.js';

configureFuzz();

/** A real export of two services' spans with decisions, and the traces they recorded. */
let exported: OtlpTracesData;
let recorded: Trace[];

beforeAll(async () => {
  ({ exported, recorded } = await recordExport());
});
afterAll(() => printSummary('jaeger'));

/** A documented error of stepmark-otel/jaeger; anything else thrown is a finding. */
function isDocumented(error: unknown): boolean {
  return (
    error instanceof JaegerHttpError ||
    error instanceof JaegerUnreachableError ||
    error instanceof TraceNotFoundError
  );
}

/** Rebuilds `data` (timed): a documented error, or traces that are JSON; the prototype untouched. */
function checkRebuild(meter: PropertyMeter, data: unknown): void {
  const before = prototypeKeys();
  let traces: Trace[];
  try {
    traces = meter.call('rebuildTraces', () => rebuildTraces(data as OtlpTracesData));
  } catch (error) {
    if (isDocumented(error)) return;
    throw error;
  }
  expect(Array.isArray(traces)).toBe(true);
  for (const t of traces) {
    meter.call('recordingOrder', () => recordingOrder(t));
    meter.call('JSON.stringify(rebuilt)', () => JSON.stringify(t));
  }
  expect(prototypeKeys()).toBe(before);
}

/** Whether JSON.stringify can print `value` (not when nested deeper than the stack allows). */
function printable(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

/** A real document with mutations, printed as the mutations. */
function mutated<T>(base: () => T, maxMutations = 4, mutations = mutation): Arbitrary<Hostile<T>> {
  return fc
    .array(mutations, { minLength: 1, maxLength: maxMutations })
    .map((ms) => hostile(describeMutations(ms), () => mutate(base(), ms)));
}

describe('fuzz: Jaeger reader', () => {
  it(
    'rebuildTraces takes any JSON document',
    () =>
      measured('jaeger: rebuildTraces(any JSON)', (meter) => {
        const doc: Arbitrary<JsonValue> = fc.oneof(
          fc.jsonValue({ maxDepth: 6 }),
          fc.record({ resourceSpans: fc.jsonValue({ maxDepth: 5 }) }),
          fc.record({
            resourceSpans: fc.array(
              fc.record(
                {
                  resource: fc.jsonValue({ maxDepth: 3 }),
                  scopeSpans: fc.array(
                    fc.record({ spans: fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 4 }) }),
                    { maxLength: 3 },
                  ),
                },
                { requiredKeys: [] },
              ),
              { maxLength: 3 },
            ),
          }),
        );
        return fc.assert(
          fc.property(doc, (data) => {
            meter.case();
            checkRebuild(meter, data);
          }),
        );
      }),
    fuzzTimeout(50),
  );

  it(
    'rebuildTraces takes a real export with fields of the wrong type, dropped, blown up or nested deep',
    () =>
      measured('jaeger: rebuildTraces(mutated export)', (meter) => {
        return fc.assert(
          fc.property(
            mutated(() => exported),
            (doc) => {
              meter.case();
              checkRebuild(meter, doc.make());
            },
          ),
        );
      }),
    fuzzTimeout(200),
  );

  it(
    'mergeTraces takes any trace-shaped JSON, real traces mutated among them',
    () =>
      measured('jaeger: mergeTraces(mutated traces)', (meter) => {
        // Trace-shaped: an object with the Trace's fields, their values of any JSON type.
        const field = fc.jsonValue({ maxDepth: 4 });
        const shaped = fc
          .record(
            {
              trace_id: fc.oneof(fc.string(), field),
              meta: field,
              entities: fc.oneof(fc.dictionary(fc.string(), field), field),
              events: fc.oneof(fc.array(field, { maxLength: 4 }), field),
              spans: fc.oneof(fc.array(field, { maxLength: 4 }), field),
              dropped_events: field,
              truncated_meta: field,
              incomplete: field,
            },
            { requiredKeys: [] },
          )
          .map((v) => hostile(JSON.stringify(v).slice(0, 300), () => structuredClone(v)));
        const trace: Arbitrary<Hostile<unknown>> = fc.oneof(
          // Nested at most 1,000 deep: deeper, a Trace is past what JSON.stringify (and any
          // recursive copy) can print on the stack, which says nothing about the merge.
          mutated(
            () => recorded[0],
            3,
            mutation.filter((m) => m.kind !== 'nest' || m.depth <= 1_000),
          ),
          shaped,
          fc.constant(hostile('a real trace', () => structuredClone(recorded[0]))),
        );
        return fc.assert(
          fc.property(fc.string(), fc.array(trace, { maxLength: 4 }), (traceId, traces) => {
            meter.case();
            const before = prototypeKeys();
            const inputs = traces.map((t) => t.make() as Trace);
            const merged = meter.call('mergeTraces', () => stepmark.mergeTraces(traceId, inputs));
            // The merge passes values through: it must print when its inputs do (a value
            // nested 20,000 deep prints neither before nor after).
            // Not timed: printing a merge of blown-up inputs is as long as the inputs are.
            if (printable(inputs)) JSON.stringify(merged);
            else meter.count('inputs JSON.stringify cannot print');
            expect(merged.trace_id).toBe(traceId);
            expect(prototypeKeys()).toBe(before);
          }),
        );
      }),
    fuzzTimeout(50),
  );
});
