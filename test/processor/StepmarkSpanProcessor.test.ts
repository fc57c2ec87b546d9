import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { sdk } from '#otel-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as stepmark from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import { setupOtel, spanEvents, type Harness } from '../support/otelHarness.js';

let h: Harness | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await h?.teardown();
  h = undefined;
});

describe('StepmarkSpanProcessor', () => {
  describe('beside other processors', () => {
    it('works in NodeSDK({ spanProcessors }) and the exporter sees the stepmark attributes', async () => {
      trace.disable();
      context.disable();
      const exporter = new sdk.InMemorySpanExporter();
      const finished: Trace[] = [];
      const processor = new stepmark.StepmarkSpanProcessor({
        onFinish: (t) => void finished.push(t),
      });
      const simple = new sdk.SimpleSpanProcessor(exporter as never) as {
        forceFlush(): Promise<void>;
      };
      const nodeSdk = sdk.createNodeSdk([processor, simple]);
      nodeSdk.start();
      try {
        await stepmark.withTracing(async () => {
          stepmark.recordEntity('order_42', 'fraud_check', 'cleared', { score: 0.02 });
          await trace.getTracer('app').startActiveSpan('charge', async (span) => {
            stepmark.recordEntity('order_42', 'payment', 'captured');
            span.end();
          });
        });
        await processor.forceFlush();
        // NodeSDK's resource detection is async: SimpleSpanProcessor exports once it settles.
        await simple.forceFlush();
        expect(finished).toHaveLength(1);
        expect(finished[0]?.entities?.order_42?.events.map((e) => e.action)).toEqual([
          'cleared',
          'captured',
        ]);
        expect(spanEvents(exporter)).toEqual([
          [
            'charge',
            'payment: captured',
            expect.objectContaining({ 'stepmark.action': 'captured' }),
          ],
          [
            'stepmark',
            'fraud_check: cleared',
            expect.objectContaining({ 'stepmark.meta.score': 0.02 }),
          ],
        ]);
        const names = exporter
          .getFinishedSpans()
          .map((s) => [s.name, s.attributes['stepmark.entity.ids']]);
        expect(names).toEqual([
          ['charge', ['order_42']],
          ['stepmark', ['order_42']],
        ]);
      } finally {
        await nodeSdk.shutdown();
        trace.disable();
        context.disable();
      }
    });

    it('works in a TracerProvider, with a BatchSpanProcessor beside it', async () => {
      trace.disable();
      context.disable();
      context.setGlobalContextManager(sdk.createContextManager().enable());
      const exporter = new sdk.InMemorySpanExporter();
      const sink = new stepmark.InMemorySink();
      const processor = new stepmark.StepmarkSpanProcessor({ exporters: [sink] });
      const provider = sdk.createProvider({
        spanProcessors: [new sdk.BatchSpanProcessor(exporter as never), processor],
      });
      trace.setGlobalTracerProvider(provider);
      await stepmark.withTracing(() => stepmark.record('batch', 'ok'));
      await provider.forceFlush();
      expect(sink.traces[0]?.events?.[0]?.action).toBe('ok');
      expect(spanEvents(exporter)).toHaveLength(1);
      await provider.shutdown();
      trace.disable();
      context.disable();
    });
  });

  describe('.onEnd', () => {
    it('emits the trace when the local root ends, with FlowTracker-shaped spans', async () => {
      h = setupOtel();
      const harness = h;
      await harness.request(async () => {
        stepmark.record('start', 'ok');
        await harness.tracer.startActiveSpan(
          'db.query',
          { attributes: { 'db.system': 'pg' } },
          async (span) => {
            span.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
            span.end();
          },
        );
        await harness.tracer.startActiveSpan('ok-span', (span) => {
          span.setStatus({ code: SpanStatusCode.OK });
          span.end();
        });
        expect(await harness.traces()).toEqual([]); // nothing before the root ends
      });
      const [json] = await harness.traces();
      const [db, ok, root] = json?.spans ?? [];
      expect(db).toMatchObject({
        name: 'db.query',
        parent_id: root?.span_id,
        status: 'error',
        tags: { 'db.system': 'pg', 'otel.status_description': 'timeout' },
      });
      expect(ok?.status).toBe('ok');
      expect(root?.parent_id).toBeUndefined();
      for (const span of json?.spans ?? []) {
        expect(Date.parse(span.end_time)).toBeGreaterThanOrEqual(Date.parse(span.start_time));
        expect(span.duration_ms).toBeGreaterThanOrEqual(0);
      }
    });

    it('ignores traces that never enabled stepmark', async () => {
      h = setupOtel();
      await h.tracer.startActiveSpan('plain', (span) => span.end());
      expect(await h.traces()).toEqual([]);
      expect(h.processor.stats().tracesInProgress).toBe(0);
    });

    it('treats a span with a remote parent as the local root', async () => {
      h = setupOtel();
      const remote = trace.setSpanContext(context.active(), {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: 1,
        isRemote: true,
      });
      await h.tracer.startActiveSpan(
        'server',
        {},
        stepmark.enable(undefined, remote),
        async (span) => {
          stepmark.record('s', 'a');
          span.end();
        },
      );
      const [json] = await h.traces();
      expect(json?.trace_id).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(json?.spans?.[0]?.parent_id).toBe('b7ad6b7169203331');
    });
  });

  describe('span limits', () => {
    it('loses no decision past the span event limit: the JSON has all, overflow spans the rest', async () => {
      h = setupOtel({ eventCountLimit: 128 });
      await h.request(() => {
        for (let i = 0; i < 300; i++) stepmark.recordEntity('order_1', 'loop', `step_${i}`);
      });
      const [json] = await h.traces();
      expect(json?.entities?.order_1?.events).toHaveLength(300);
      expect(json?.entities?.order_1?.events[0]?.action).toBe('step_0');
      expect(json?.dropped_span_events).toBeUndefined();
      const spans = h.exporter.getFinishedSpans();
      expect(spans.find((s) => s.name === 'request')?.events).toHaveLength(128);
      expect(
        spans.filter((s) => s.name === 'stepmark.overflow').map((s) => s.events.length),
      ).toEqual([128, 44]);
    });
  });

  describe('memory bounds', () => {
    it('evicts a trace whose root never ends after traceTtlMs, emitted as incomplete', async () => {
      vi.useFakeTimers();
      h = setupOtel({ processor: { traceTtlMs: 2_000 } });
      const span = h.tracer.startSpan('never-ends');
      context.with(stepmark.enable(undefined, trace.setSpan(context.active(), span)), () =>
        stepmark.recordEntity('order_1', 's', 'a'),
      );
      expect(h.processor.stats().tracesInProgress).toBe(1);
      vi.advanceTimersByTime(1_000);
      expect(h.processor.stats().tracesInProgress).toBe(1);
      vi.advanceTimersByTime(2_500);
      vi.useRealTimers();
      const [json] = await h.traces();
      expect(json?.incomplete).toBe('ttl');
      expect(json?.entities?.order_1?.events).toHaveLength(1);
      expect(h.processor.stats()).toMatchObject({ tracesInProgress: 0, tracesEvictedTtl: 1 });
      span.end(); // ending later is harmless
      expect(await h.traces()).toHaveLength(1);
    });

    it('caps the traces held at once and emits the evicted oldest as incomplete', async () => {
      h = setupOtel({ processor: { maxTraces: 3 } });
      const spans = Array.from({ length: 5 }, (_, i) => {
        const span = h!.tracer.startSpan(`root_${i}`);
        context.with(stepmark.enable(undefined, trace.setSpan(context.active(), span)), () =>
          stepmark.record('s', String(i)),
        );
        return span;
      });
      expect(h.processor.stats()).toMatchObject({ tracesInProgress: 3, tracesEvictedCapacity: 2 });
      for (const span of spans) span.end();
      const traces = await h.traces();
      expect(traces.map((t) => [t.events?.[0]?.action, t.incomplete])).toEqual([
        ['0', 'capacity'],
        ['1', 'capacity'],
        ['2', undefined],
        ['3', undefined],
        ['4', undefined],
      ]);
    });

    it('caps span summaries per trace and counts the rest', async () => {
      h = setupOtel({ processor: { maxSpans: 2 } });
      const harness = h;
      await harness.request(async () => {
        stepmark.record('s', 'a');
        for (let i = 0; i < 4; i++) harness.tracer.startActiveSpan(`c${i}`, (s) => s.end());
      });
      const [json] = await harness.traces();
      expect(json?.spans?.map((s) => s.name)).toEqual(['c0', 'c1']);
      expect(json?.dropped_spans).toBe(3);
    });
  });

  describe('sinks', () => {
    it('isolates a throwing onFinish and a rejecting sink from the others and from the app', async () => {
      const good = new stepmark.InMemorySink();
      h = setupOtel({
        processor: {
          onFinish: () => {
            throw new Error('onFinish broke');
          },
          exporters: [
            { export: () => Promise.reject(new Error('sink rejected')) },
            {
              export: () => {
                throw new Error('sink threw');
              },
            },
            good,
          ],
        },
      });
      await h.request(() => stepmark.record('s', 'a'));
      await h.processor.forceFlush();
      expect(good.traces).toHaveLength(1);
      expect(h.processor.stats().sinkErrors).toBe(3);
    });

    it('caps async exports still pending and counts what it skipped', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const slow = { export: () => gate };
      h = setupOtel({ processor: { exporters: [slow], maxPendingExports: 2 } });
      for (let i = 0; i < 5; i++) await h.request(() => stepmark.record('s', String(i)));
      await new Promise((r) => setImmediate(r));
      expect(h.processor.stats().exportsDropped).toBe(3);
      release();
      await h.processor.forceFlush();
      expect(h.processor.stats().tracesEmitted).toBe(5);
    });

    it('never lets an error inside the processor reach span.end()', async () => {
      const brokenWriter = {
        write: () => {
          throw new Error('writer broke');
        },
        writeTraceMeta: () => undefined,
      };
      h = setupOtel({ processor: { writer: brokenWriter } });
      await expect(h.request(() => stepmark.record('s', 'a'))).resolves.toBeUndefined();
      expect(h.processor.stats().internalErrors).toBe(1);
      const [json] = await h.traces();
      expect(json?.events?.[0]?.action).toBe('a');
    });
  });

  describe('.shutdown', () => {
    it('emits traces still in progress as incomplete and flushes', async () => {
      h = setupOtel();
      const span = h.tracer.startSpan('open');
      context.with(stepmark.enable(undefined, trace.setSpan(context.active(), span)), () =>
        stepmark.record('s', 'a'),
      );
      await h.processor.shutdown();
      expect(h.sink.traces.map((t) => t.incomplete)).toEqual(['shutdown']);
      span.end();
    });
  });

  describe('.collect', () => {
    it('returns a snapshot of a trace in progress by id', async () => {
      h = setupOtel();
      const processor = h.processor;
      await h.request(async () => {
        stepmark.recordEntity('o', 's', 'a');
        const traceId = trace.getActiveSpan()?.spanContext().traceId ?? '';
        expect(processor.collect(traceId)?.entities?.o?.events).toHaveLength(1);
        expect(processor.collect('0'.repeat(32))).toBeUndefined();
      });
    });
  });

  describe("mode: 'always'", () => {
    it('records on every recording span without any trigger', async () => {
      h = setupOtel({ processor: { mode: 'always', tracerOptions: { maxEvents: 2 } } });
      const harness = h;
      await harness.tracer.startActiveSpan('untriggered', async (span) => {
        expect(stepmark.enabled()).toBe(true);
        stepmark.recordEntity('o', 's', 'a');
        stepmark.recordEntity('o', 's', 'b');
        stepmark.recordEntity('o', 's', 'c');
        span.end();
      });
      const [json] = await harness.traces();
      expect(json?.entities?.o?.events.map((e) => e.action)).toEqual(['a', 'b']);
      expect(json?.dropped_events).toBe(1);
      expect(spanEvents(harness.exporter)).toHaveLength(2);
      stepmark.recordEntity('o', 's', 'outside'); // no span: still nothing
      expect(stepmark.enabled()).toBe(false);
    });
  });

  describe('without a processor', () => {
    it('writes span events at call time', async () => {
      h = setupOtel({ withoutProcessor: true });
      const harness = h;
      await harness.request(() => {
        stepmark.recordEntity('o1', 's', 'a');
        stepmark.recordEntity('o2', 's', 'b');
        expect(stepmark.collect()?.entities?.o2?.events).toHaveLength(1);
      });
      const request = harness.exporter.getFinishedSpans().find((s) => s.name === 'request');
      expect(request?.events.map((e) => e.attributes?.['stepmark.entity.id'])).toEqual([
        'o1',
        'o2',
      ]);
      expect(request?.attributes['stepmark.entity.ids']).toEqual(['o1', 'o2']);
    });
  });
});
