// Issue 9, item 9: decisions the processor can no longer write or keep are counted, never lost
// without a word.
import { context, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as stepmark from '../../src/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

let h: Harness | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await h?.teardown();
  h = undefined;
});

describe('decisions that cannot be written any more', () => {
  it('counts those waiting for a span still open at shutdown (the JSON keeps them)', async () => {
    h = setupOtel();
    const root = h.tracer.startSpan('request');
    const ctx = stepmark.enable(undefined, trace.setSpan(context.active(), root));
    const child = h.tracer.startSpan('lookup', undefined, ctx);
    context.with(trace.setSpan(ctx, child), () => {
      stepmark.recordEntity('order_1', 'lookup', 'found');
      stepmark.recordEntity('order_1', 'lookup', 'cached');
    });
    await h.processor.shutdown();
    const [json] = await h.traces();
    expect(json?.incomplete).toBe('shutdown');
    expect(json?.entities?.order_1?.events).toHaveLength(2);
    expect(json?.dropped_span_events).toBe(2);
  });

  it('counts as late a decision made after a TTL eviction, also when nothing else is traced', async () => {
    vi.useFakeTimers();
    h = setupOtel({ processor: { traceTtlMs: 1_000 } });
    const span = h.tracer.startSpan('never-ends');
    const ctx = stepmark.enable(undefined, trace.setSpan(context.active(), span));
    context.with(ctx, () => stepmark.recordEntity('order_1', 's', 'before'));
    vi.advanceTimersByTime(2_500);
    expect(h.processor.stats().tracesEvictedTtl).toBe(1);
    const late = stepmark.stats().lateCalls;
    context.with(ctx, () => stepmark.recordEntity('order_1', 's', 'after'));
    expect(stepmark.stats().lateCalls).toBe(late + 1);
    vi.useRealTimers();
    const [json] = await h.traces();
    expect(json?.entities?.order_1?.events.map((e) => e.action)).toEqual(['before']);
    span.end();
  });
});
