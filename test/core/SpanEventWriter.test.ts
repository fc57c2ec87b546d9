import { afterEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

const toMs = ([s, ns]: [number, number]) => s * 1000 + ns / 1e6;

describe('SpanEventWriter', () => {
  it("never pushes the application's own span events out: the rest go on overflow spans", async () => {
    h = setupOtel({ eventCountLimit: 128 });
    const { trace: otelTrace } = await import('@opentelemetry/api');
    await h.request(() => {
      const span = otelTrace.getActiveSpan();
      span?.recordException(new Error('payment gateway timeout'));
      span?.addEvent('cache.miss');
      for (let i = 0; i < 200; i++) stepmark.recordEntity('order_1', 'loop', `step_${i}`);
    });
    const [json] = await h.traces();
    const spans = h.exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'request');
    const overflow = spans.filter((s) => s.name === 'stepmark.overflow');
    expect(request?.events.map((e) => e.name).slice(0, 2)).toEqual(['exception', 'cache.miss']);
    expect(request?.events.filter((e) => e.name.startsWith('loop: '))).toHaveLength(126);
    expect(overflow.map((s) => s.events.length)).toEqual([74]);
    expect(overflow[0]?.attributes).toMatchObject({
      'stepmark.overflow_of': request?.spanContext().spanId,
      'stepmark.entity.ids': ['order_1'],
    });
    const actions = [...(request?.events ?? []), ...(overflow[0]?.events ?? [])]
      .map((e) => e.attributes?.['stepmark.action'])
      .filter(Boolean);
    expect(actions).toEqual(Array.from({ length: 200 }, (_, i) => `step_${i}`));
    expect(json?.dropped_span_events).toBeUndefined();
    const overflowId = overflow[0]?.spanContext().spanId;
    expect(json?.entities?.order_1?.events.at(-1)?.span_id).toBe(overflowId);
  });

  it('counts the decisions no span could take when overflow spans do not record', async () => {
    h = setupOtel({ eventCountLimit: 10 });
    const { trace: otelTrace } = await import('@opentelemetry/api');
    otelTrace.disable(); // no global provider: overflow spans would be non-recording
    await h.request(() => {
      for (let i = 0; i < 25; i++) stepmark.record('loop', String(i));
    });
    const [json] = await h.traces();
    const request = h.exporter.getFinishedSpans().find((s) => s.name === 'request');
    expect(request?.events).toHaveLength(10);
    expect(request?.attributes['stepmark.dropped_span_events']).toBe(15);
    expect(json?.dropped_span_events).toBe(15);
    expect(json?.events).toHaveLength(25);
  });

  it('stamps span events on the span clock: each lies within its span', async () => {
    h = setupOtel();
    const harness = h;
    await harness.request(async () => {
      for (let i = 0; i < 20; i++) {
        await harness.tracer.startActiveSpan(`child_${i}`, async (span) => {
          stepmark.record('child', String(i));
          await new Promise((resolve) => setImmediate(resolve));
          stepmark.record('child', `${i}-after`);
          span.end();
        });
      }
    });
    const spans = harness.exporter.getFinishedSpans() as unknown as Array<{
      name: string;
      startTime: [number, number];
      endTime: [number, number];
      events: Array<{ name: string; time: [number, number] }>;
    }>;
    let checked = 0;
    for (const span of spans) {
      for (const event of span.events) {
        expect(toMs(event.time)).toBeGreaterThanOrEqual(toMs(span.startTime));
        expect(toMs(event.time)).toBeLessThanOrEqual(toMs(span.endTime));
        checked++;
      }
    }
    expect(checked).toBe(40);
    // The JSON agrees: every event's timestamp lies within the span it names.
    const [json] = await harness.traces();
    const windows = new Map(json?.spans?.map((s) => [s.span_id, s]));
    for (const event of json?.events ?? []) {
      const span = windows.get(event.span_id ?? '');
      expect(event.timestamp >= (span?.start_time ?? '~')).toBe(true);
      expect(event.timestamp <= (span?.end_time ?? '')).toBe(true);
    }
    expect(json?.events).toHaveLength(40);
  });

  it('merges stepmark.entity.ids when two sessions wrote on one span', async () => {
    h = setupOtel();
    await h.tracer.startActiveSpan('http', async (span) => {
      await stepmark.withTracing(() => stepmark.recordEntity('order_1', 's', 'a'));
      // A second block, after the first one's session ended, opens a new session on the same span.
      const { context } = await import('@opentelemetry/api');
      await context.with(stepmark.enable(), () => stepmark.recordEntity('order_2', 's', 'a'));
      span.end();
    });
    const http = h.exporter.getFinishedSpans().find((s) => s.name === 'http');
    expect(http?.attributes['stepmark.entity.ids']).toEqual(['order_1', 'order_2']);
  });
});

describe('span events as the SDK writes them', () => {
  type Event = { name: string; attributes: Record<string, unknown>; time: [number, number] };
  const requestEvents = (harness: Harness) =>
    (harness.exporter.getFinishedSpans().find((s) => s.name === 'request')?.events ??
      []) as unknown as Event[];

  it('writes the very events addEvent would, on either SDK line', async () => {
    h = setupOtel();
    await h.request(() => {
      stepmark.recordEntity('order_1', 'fraud_check', 'cleared', { score: 0.02, ok: true });
      stepmark.track('order_1', { total: 5 }, { kind: 'order' });
      stepmark.record('cache', 'miss');
    });
    await h.traces();
    const written = requestEvents(h);
    expect(written).toHaveLength(3);
    // The same events through the SDK's own addEvent, on a span of the same provider.
    const probe = h.tracer.startSpan('probe');
    for (const e of written) probe.addEvent(e.name, e.attributes as never, e.time);
    probe.end();
    const replayed = h.exporter.getFinishedSpans().find((s) => s.name === 'probe')?.events;
    expect(replayed).toEqual(written);
  });

  it('leaves attribute value-length and count limits to addEvent', async () => {
    h = setupOtel({
      spanLimits: { attributeValueLengthLimit: 10, attributePerEventCountLimit: 4 },
    });
    await h.request(() => {
      stepmark.recordEntity('order_1', 'fraud_check', 'cleared', { note: 'x'.repeat(40), a: 1 });
    });
    await h.traces();
    const [event] = requestEvents(h) as Array<Event & { droppedAttributesCount: number }>;
    // Cut to 4 attributes and 10 characters, as the SDK does for any event.
    expect(Object.keys(event?.attributes ?? {})).toHaveLength(4);
    expect(event?.droppedAttributesCount).toBe(2); // of seq, stage, action, entity id and 2 meta keys
    for (const value of Object.values(event?.attributes ?? {})) {
      if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(10);
    }
  });
});
