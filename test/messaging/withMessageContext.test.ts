import { createHmac } from 'node:crypto';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import {
  headersOf,
  injectMessageHeaders,
  MessageGate,
  messagingStats,
  withMessageContext,
  type MessageHeaders,
} from '../../src/messaging/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;

let h: Harness;
beforeEach(() => {
  h = setupOtel();
});
afterEach(async () => {
  await h.teardown();
});

interface FinishedSpan {
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
  events: Array<{ name: string; attributes?: Record<string, unknown> }>;
  links: Array<{ context: { traceId: string; spanId: string } }>;
  parentSpanContext?: { spanId: string; traceId: string } | undefined;
  spanContext(): { traceId: string; spanId: string };
}

function spans(): FinishedSpan[] {
  return h.exporter.getFinishedSpans() as unknown as FinishedSpan[];
}

function consumerSpans(): FinishedSpan[] {
  return spans().filter((s) => s.kind === SpanKind.CONSUMER);
}

/** Headers a producer sends from a traced request (stepmark=1 in the baggage), and its span's ids. */
async function producedFromTracedRequest(): Promise<{
  headers: Record<string, string>;
  traceId: string;
  spanId: string;
}> {
  return h.request(() => {
    stepmark.record('checkout', 'order_placed');
    const sc = trace.getActiveSpan()!.spanContext();
    return { headers: { ...injectMessageHeaders({}) }, traceId: sc.traceId, spanId: sc.spanId };
  }) as Promise<{ headers: Record<string, string>; traceId: string; spanId: string }>;
}

/** Headers a producer sends from an untraced span (no stepmark=1). */
function producedUntraced(): { headers: Record<string, string>; traceId: string; spanId: string } {
  return h.tracer.startActiveSpan('send', (span) => {
    const headers: Record<string, string> = { ...injectMessageHeaders({}) };
    span.end();
    return { headers, ...span.spanContext() };
  });
}

describe('withMessageContext', () => {
  describe('trace context', () => {
    it('starts a CONSUMER span, child of the producer and linked to it, with messaging attributes', async () => {
      const produced = producedUntraced();
      const result = await withMessageContext(produced.headers, async () => 'done', {
        topic: 'orders',
      });
      expect(result).toBe('done');
      const [consumer] = consumerSpans();
      expect(consumer?.name).toBe('process orders');
      expect(consumer?.spanContext().traceId).toBe(produced.traceId);
      expect(consumer?.parentSpanContext?.spanId).toBe(produced.spanId);
      expect(consumer?.links.map((l) => l.context.spanId)).toEqual([produced.spanId]);
      expect(consumer?.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.destination.name': 'orders',
        'messaging.operation.type': 'process',
      });
    });

    it('takes the system from the options and names the span `process` without a topic', () => {
      withMessageContext({ traceparent: TRACEPARENT }, () => undefined, { system: 'rabbitmq' });
      const [consumer] = consumerSpans();
      expect(consumer?.name).toBe('process');
      expect(consumer?.attributes['messaging.system']).toBe('rabbitmq');
      expect(consumer?.attributes['messaging.destination.name']).toBeUndefined();
    });

    it('reads Buffer headers, arrays of values and arrays of { key, value }', () => {
      const shapes: MessageHeaders[] = [
        { traceparent: Buffer.from(TRACEPARENT) },
        { traceparent: [Buffer.from(TRACEPARENT), 'ignored'] },
        [
          { key: 'other', value: 'x' },
          { key: 'traceparent', value: Buffer.from(TRACEPARENT) },
        ],
        headersOf({ headers: { Traceparent: TRACEPARENT } }),
      ];
      for (const headers of shapes) {
        const traceId = withMessageContext(
          headers,
          () => trace.getActiveSpan()?.spanContext().traceId,
        );
        expect(traceId).toBe(TRACE_ID);
      }
      expect(consumerSpans()).toHaveLength(shapes.length);
    });

    it('gives each message of a batch its own context', async () => {
      const first = producedUntraced();
      const second = producedUntraced();
      const seen: Array<string | undefined> = [];
      await h.tracer.startActiveSpan('batch', async (batch) => {
        for (const message of [first, second]) {
          await withMessageContext(message.headers, async () => {
            await Promise.resolve();
            seen.push(trace.getActiveSpan()?.spanContext().traceId);
          });
        }
        batch.end();
      });
      expect(seen).toEqual([first.traceId, second.traceId]);
      expect(consumerSpans().map((s) => s.parentSpanContext?.spanId)).toEqual([
        first.spanId,
        second.spanId,
      ]);
    });

    it('records on an active CONSUMER span of the same trace instead of starting a second one', async () => {
      const produced = await producedFromTracedRequest();
      const parent = propagation.extract(context.active(), produced.headers);
      const instrumentation = h.tracer.startSpan(
        'orders process',
        { kind: SpanKind.CONSUMER },
        parent,
      );
      context.with(trace.setSpan(parent, instrumentation), () =>
        withMessageContext(produced.headers, () => stepmark.record('shipping', 'label_printed'), {
          topic: 'orders',
        }),
      );
      instrumentation.end();
      expect(consumerSpans().map((s) => s.name)).toEqual(['orders process']);
      const traces = await h.traces();
      const consumed = traces.find((t) => t.spans?.some((s) => s.name === 'orders process'));
      expect(consumed?.trace_id).toBe(produced.traceId);
      expect(consumed?.events?.map((e) => e.action)).toEqual(['label_printed']);
      expect(messagingStats().reusedConsumerSpans).toBeGreaterThan(0);
    });

    it('under an instrumentation, a message without the flag runs on its span as it is (no span, no context change)', async () => {
      const produced = producedUntraced();
      const parent = propagation.extract(context.active(), produced.headers);
      const instrumentation = h.tracer.startSpan(
        'orders process',
        { kind: SpanKind.CONSUMER },
        parent,
      );
      const ctx = trace.setSpan(parent, instrumentation);
      const pending = Promise.reject(new Error('poison'));
      const seen = context.with(ctx, () => {
        const sync = withMessageContext(produced.headers, () => context.active());
        let calls = 0;
        expect(() =>
          withMessageContext(produced.headers, () => {
            calls++;
            throw new SyntaxError('Unexpected token');
          }),
        ).toThrow('Unexpected token');
        expect(calls).toBe(1); // run once, never again
        // The very promise the handler returned, not a derived one.
        expect(withMessageContext(produced.headers, () => pending)).toBe(pending);
        return sync;
      });
      await expect(pending).rejects.toThrow('poison');
      instrumentation.end();
      expect(seen).toBe(ctx);
      const [only, ...others] = consumerSpans();
      expect(others).toEqual([]);
      expect(only?.status.code).toBe(SpanStatusCode.ERROR);
      expect(only?.events.filter((e) => e.name === 'exception')).toHaveLength(2);
    });

    it('starts its own span under a CONSUMER span of another trace (a batch receive span)', () => {
      const produced = producedUntraced();
      const receive = h.tracer.startSpan('orders receive', { kind: SpanKind.CONSUMER });
      context.with(trace.setSpan(context.active(), receive), () =>
        withMessageContext(produced.headers, () => undefined, { topic: 'orders' }),
      );
      receive.end();
      expect(consumerSpans().map((s) => s.name)).toEqual(['process orders', 'orders receive']);
    });
  });

  describe('recording', () => {
    it('records when the baggage says stepmark=1, in the producer trace id', async () => {
      const produced = await producedFromTracedRequest();
      await withMessageContext(
        produced.headers,
        async () => {
          await Promise.resolve();
          expect(stepmark.enabled()).toBe(true);
          stepmark.recordEntity('order_1', 'fulfilment', 'reserved');
        },
        { topic: 'orders' },
      );
      const traces = await h.traces();
      expect(traces.map((t) => t.trace_id)).toEqual([produced.traceId, produced.traceId]);
      const consumed = traces.find((t) => t.spans?.some((s) => s.name === 'process orders'));
      expect(consumed?.entities?.order_1?.events.map((e) => e.action)).toEqual(['reserved']);
    });

    it('records nothing without stepmark=1', async () => {
      const produced = producedUntraced();
      withMessageContext(produced.headers, () => {
        expect(stepmark.enabled()).toBe(false);
        stepmark.record('fulfilment', 'reserved');
      });
      expect(await h.traces()).toEqual([]);
      expect(consumerSpans()).toHaveLength(1);
    });

    it('refuses an unsigned flag when the gate wants signed ones, and honours a signed one', async () => {
      const key = 'shared-flag-key';
      const gate = new MessageGate({ flagKey: key });
      const refusedBefore = stepmark.stats().refusedBaggageFlags;
      withMessageContext(
        { traceparent: TRACEPARENT, baggage: 'stepmark=1' },
        () => expect(stepmark.enabled()).toBe(false),
        { gate },
      );
      expect(stepmark.stats().refusedBaggageFlags).toBe(refusedBefore + 1);
      const sig = createHmac('sha256', key)
        .update(`stepmark-otel/flag/v1:${TRACE_ID}`)
        .digest()
        .subarray(0, 16)
        .toString('base64url');
      withMessageContext(
        { traceparent: TRACEPARENT, baggage: `stepmark=1,stepmark.sig=${sig}` },
        () => expect(stepmark.enabled()).toBe(true),
        { gate },
      );
    });

    it('applies the rate limit of the gate', () => {
      const gate = new MessageGate({ rateLimit: { perSecond: 0, burst: 1 } });
      const before = stepmark.stats().rateLimitedRequests;
      const flagged = { traceparent: TRACEPARENT, baggage: 'stepmark=1' };
      const on = [1, 2].map(() => withMessageContext(flagged, () => stepmark.enabled(), { gate }));
      expect(on).toEqual([true, false]);
      expect(stepmark.stats().rateLimitedRequests).toBe(before + 1);
    });
  });

  describe('bad input', () => {
    it('runs the handler untraced on a malformed traceparent, counted', async () => {
      const before = messagingStats().malformedTraceparent;
      const ran = withMessageContext(
        { traceparent: '00-not-a-trace-01', baggage: 'stepmark=1' },
        () => stepmark.enabled(),
      );
      expect(ran).toBe(false);
      expect(messagingStats().malformedTraceparent).toBe(before + 1);
      expect(consumerSpans()[0]?.links).toEqual([]);
      expect(await h.traces()).toEqual([]);
    });

    it('runs the handler untraced on an oversized baggage, counted', () => {
      const before = messagingStats().oversizedBaggage;
      const baggage = `stepmark=1,big=${'x'.repeat(9000)}`;
      const traceId = withMessageContext({ traceparent: TRACEPARENT, baggage }, () => {
        expect(stepmark.enabled()).toBe(false);
        return trace.getActiveSpan()?.spanContext().traceId;
      });
      expect(traceId).not.toBe(TRACE_ID);
      expect(messagingStats().oversizedBaggage).toBe(before + 1);
    });

    it('ignores a Buffer that is not valid UTF-8, counted', () => {
      const before = messagingStats().invalidUtf8;
      const bad = Buffer.from([0x30, 0x30, 0x2d, 0xff, 0xfe]);
      const ran = withMessageContext({ traceparent: bad, baggage: 'stepmark=1' }, () => {
        return stepmark.enabled();
      });
      expect(ran).toBe(false);
      expect(messagingStats().invalidUtf8).toBe(before + 1);
    });

    it('runs the handler with odd headers (null, numbers, a hostile object)', () => {
      const hostile = new Proxy(
        {},
        {
          get() {
            throw new Error('no');
          },
          ownKeys() {
            throw new Error('no');
          },
        },
      );
      for (const headers of [null, undefined, { traceparent: 42 as never }, hostile]) {
        expect(withMessageContext(headers as MessageHeaders, () => 'ran')).toBe('ran');
      }
    });
  });

  describe('handler errors', () => {
    it('rethrows what a handler throws and records it on the span', () => {
      const error = new Error('poison message');
      expect(() =>
        withMessageContext({ traceparent: TRACEPARENT }, () => {
          throw error;
        }),
      ).toThrow(error);
      const [consumer] = consumerSpans();
      expect(consumer?.status.code).toBe(SpanStatusCode.ERROR);
      expect(consumer?.events.map((e) => e.name)).toContain('exception');
    });

    it('rejects with what a handler rejects with, span ended and marked', async () => {
      const error = new SyntaxError('Unexpected token');
      await expect(
        withMessageContext({ traceparent: TRACEPARENT }, async () => {
          await Promise.resolve();
          JSON.parse('{');
          throw error;
        }),
      ).rejects.toBeInstanceOf(SyntaxError);
      const [consumer] = consumerSpans();
      expect(consumer?.status.code).toBe(SpanStatusCode.ERROR);
      expect(consumer?.events.map((e) => e.name)).toContain('exception');
    });

    it('ends the span only when an async handler settles', async () => {
      let release: () => void = () => undefined;
      const pending = withMessageContext({ traceparent: TRACEPARENT }, () => {
        return new Promise<void>((resolve) => (release = resolve));
      });
      expect(consumerSpans()).toHaveLength(0);
      release();
      await pending;
      expect(consumerSpans()).toHaveLength(1);
    });
  });
});
