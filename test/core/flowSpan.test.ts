import { context, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

let h: Harness;
beforeEach(() => {
  h = setupOtel();
});
afterEach(async () => {
  await h.teardown();
});

const finished = (name: string) => h.exporter.getFinishedSpans().filter((s) => s.name === name);

describe('stepmark.span and stepmark.addTag', () => {
  it('runs fn in a child span of the active one, with its tags, ended when fn settles', async () => {
    await h.request(async () => {
      const price = await stepmark.span(
        'pricing',
        async () => {
          stepmark.addTag('cart.items', 3);
          stepmark.recordEntity('order_42', 'pricing', 'discounted');
          await Promise.resolve();
          return 48.6;
        },
        { 'order.coupon': 'WELCOME10', password: 'hunter2', rules: ['a', 'b'] },
      );
      expect(price).toBe(48.6);
    });
    const [trace] = await h.traces();
    const [pricing] = finished('pricing');
    const [request] = finished('request');
    expect(pricing?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(pricing?.attributes).toMatchObject({
      'order.coupon': 'WELCOME10',
      password: '[REDACTED]',
      rules: '["a","b"]',
      'cart.items': 3,
    });
    // The decision made inside lies on the child span.
    expect(trace?.entities?.order_42?.events[0]?.span_id).toBe(pricing?.spanContext().spanId);
  });

  it('marks the span as an error when fn throws or rejects, and the error reaches the caller', async () => {
    await h.request(async () => {
      expect(() =>
        stepmark.span('sync', () => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      await expect(
        stepmark.span('async', () => Promise.reject(new Error('late boom'))),
      ).rejects.toThrow('late boom');
    });
    expect(finished('sync')[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(finished('async')[0]?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('only runs fn, and tags nothing, where stepmark does not record', async () => {
    expect(stepmark.span('outside', () => 7)).toBe(7);
    stepmark.addTag('outside', 1);
    // A recording span, but no traced request: nothing either.
    await h.tracer.startActiveSpan('plain', async (plain) => {
      expect(stepmark.span('inner', () => 8)).toBe(8);
      stepmark.addTag('inner.tag', 1);
      plain.end();
    });
    // A traced request whose context has no span: no child span, fn still runs.
    await context.with(stepmark.enable(), async () => {
      expect(stepmark.span('spanless', () => 9)).toBe(9);
    });
    expect(h.exporter.getFinishedSpans().map((s) => s.name)).toEqual(['plain']);
    expect(finished('plain')[0]?.attributes).toEqual({});
  });

  it('never throws for what a caller passes as name, key, value or attributes', async () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    await h.request(() => {
      expect(stepmark.span(undefined as never, () => 1, hostile as never)).toBe(1);
      expect(stepmark.span(['x'] as never, () => 2, 5 as never)).toBe(2);
      stepmark.addTag('' as string, 1);
      stepmark.addTag(42 as never, 1);
      stepmark.addTag('big', 10n);
      stepmark.addTag('deep', { a: { b: { c: 1 } } });
      stepmark.addTag(
        'cycle',
        (() => {
          const o: Record<string, unknown> = {};
          o.self = o;
          return o;
        })(),
      );
    });
    const [request] = finished('request');
    expect(request?.attributes).toMatchObject({
      big: '10',
      deep: '{"a":{"b":{"c":1}}}',
      cycle: '{"self":"[Circular]"}',
    });
    const [trace] = await h.traces();
    expect(trace?.invalid_calls).toBe(2); // '' and 42 as keys
  });
});
