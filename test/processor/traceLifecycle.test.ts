import { context, trace, type Context } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

/** A server span with a remote parent, as an instrumentation makes for an incoming request. */
function incoming(traceId: string, parentSpanId: string): Context {
  return trace.setSpanContext(context.active(), {
    traceId,
    spanId: parentSpanId,
    traceFlags: 1,
    isRemote: true,
  });
}
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('StepmarkSpanProcessor', () => {
  describe('a span that outlives its local root', () => {
    it('still gets its decisions as span events (instrumentation-express ends handler spans late)', async () => {
      h = setupOtel();
      const harness = h;
      const root = harness.tracer.startSpan('GET /orders/:id');
      const rootCtx = stepmark.enable(undefined, trace.setSpan(context.active(), root));
      const handler = harness.tracer.startSpan('request handler', {}, rootCtx);
      context.with(trace.setSpan(rootCtx, handler), () =>
        stepmark.recordEntity('order_1', 'fraud_check', 'cleared'),
      );
      root.end();
      handler.end();
      const [emitted] = await harness.traces();
      expect(emitted?.entities?.order_1?.events[0]?.action).toBe('cleared');
      const late = harness.exporter.getFinishedSpans().find((s) => s.name === 'request handler');
      expect(late?.events.map((e) => e.attributes?.['stepmark.entity.id'])).toEqual(['order_1']);
    });
  });

  describe('one enabled context, several root spans', () => {
    it('gives each job started as a root span its own trace', async () => {
      h = setupOtel();
      const harness = h;
      await context.with(stepmark.enable({ traceMeta: { worker: 'w1' } }), async () => {
        for (const job of ['job1', 'job2', 'job3']) {
          await harness.tracer.startActiveSpan(job, { root: true }, async (span) => {
            stepmark.recordEntity(job, 'run', 'done');
            span.end();
          });
        }
      });
      const traces = await harness.traces();
      expect(traces.map((t) => Object.keys(t.entities ?? {}))).toEqual([
        ['job1'],
        ['job2'],
        ['job3'],
      ]);
      expect(new Set(traces.map((t) => t.trace_id)).size).toBe(3);
      expect(traces.map((t) => t.meta)).toEqual([
        { worker: 'w1' },
        { worker: 'w1' },
        { worker: 'w1' },
      ]);
      for (const span of harness.exporter.getFinishedSpans()) {
        expect(span.events.map((e) => e.attributes?.['stepmark.entity.id'])).toEqual([span.name]);
      }
      expect(stepmark.stats().openSessions).toBe(1); // the worker's own context, still enabled
    });

    it('keeps concurrent root spans of one enabled context apart', async () => {
      h = setupOtel();
      const harness = h;
      const job = (name: string) =>
        harness.tracer.startActiveSpan(name, { root: true }, async (span) => {
          stepmark.record(name, 'start');
          await new Promise((resolve) => setTimeout(resolve, 1));
          stepmark.record(name, 'end');
          span.end();
        });
      await context.with(stepmark.enable(), () => Promise.all([job('a'), job('b')]));
      const traces = await harness.traces();
      expect(traces.map((t) => t.events?.map((e) => `${e.stage}:${e.action}`)).sort()).toEqual([
        ['a:start', 'a:end'],
        ['b:start', 'b:end'],
      ]);
      for (const t of traces) {
        const spanIds = new Set(t.spans?.map((s) => s.span_id));
        for (const e of t.events ?? []) expect(spanIds.has(e.span_id ?? '')).toBe(true);
      }
    });
  });

  describe('several local roots of one trace', () => {
    it('emits once, after the last one ends, when each enabled its own request', async () => {
      h = setupOtel();
      const harness = h;
      // Upstream fans out twice to this service: two server spans of one trace.
      const first = harness.tracer.startSpan(
        'GET /item/1',
        {},
        incoming(TRACE, '00f067aa0ba902b7'),
      );
      const second = harness.tracer.startSpan(
        'GET /item/2',
        {},
        incoming(TRACE, '00f067aa0ba902b8'),
      );
      const inRequest = (span: typeof first, fn: () => void) =>
        context.with(stepmark.enable(undefined, trace.setSpan(context.active(), span)), fn);
      inRequest(first, () => stepmark.recordEntity('item_1', 'lookup', 'ok'));
      inRequest(second, () => stepmark.recordEntity('item_2', 'lookup', 'ok'));
      first.end();
      expect(await harness.traces()).toEqual([]);
      inRequest(second, () => stepmark.recordEntity('item_2', 'stock', 'reserved'));
      second.end();
      const traces = await harness.traces();
      expect(traces).toHaveLength(1);
      expect(traces[0]?.entities?.item_2?.events.map((e) => e.action)).toEqual(['ok', 'reserved']);
      expect(traces[0]?.spans?.map((s) => s.name)).toEqual(['GET /item/1', 'GET /item/2']);
      const secondSpan = harness.exporter.getFinishedSpans().find((s) => s.name === 'GET /item/2');
      expect(secondSpan?.events.map((e) => e.attributes?.['stepmark.action'])).toEqual([
        'ok',
        'reserved',
      ]);
      expect(stepmark.stats().lateCalls).toBe(0);
    });
  });

  describe('stragglers', () => {
    it("does not open a second fragment for a child span outliving its root in 'always' mode", async () => {
      h = setupOtel({ processor: { mode: 'always' } });
      const harness = h;
      let child: ReturnType<typeof harness.tracer.startSpan> | undefined;
      harness.tracer.startActiveSpan('root', (root) => {
        stepmark.record('root', 'a');
        child = harness.tracer.startSpan('background');
        root.end();
      });
      const late = stepmark.stats().lateCalls;
      context.with(trace.setSpan(context.active(), child!), () => stepmark.record('bg', 'late'));
      child!.end();
      expect(stepmark.stats().lateCalls).toBe(late + 1);
      expect(harness.processor.stats().tracesInProgress).toBe(0);
      expect((await harness.traces()).map((t) => t.events?.map((e) => e.action))).toEqual([['a']]);
    });

    it('refuses to enable a request whose trace was already emitted, and counts it', async () => {
      h = setupOtel();
      const harness = h;
      let kept: ReturnType<typeof harness.tracer.startSpan> | undefined;
      await harness.request(() => {
        kept = harness.tracer.startSpan('outlives-root');
      });
      await harness.traces();
      const late = stepmark.stats().lateCalls;
      context.with(stepmark.enable(undefined, trace.setSpan(context.active(), kept!)), () => {
        stepmark.record('s', 'late');
        expect(stepmark.enabled()).toBe(false);
      });
      kept!.end();
      expect(stepmark.stats().lateCalls).toBe(late + 1); // the refused enable
      expect(harness.processor.stats().tracesInProgress).toBe(0);
      expect(await harness.traces()).toHaveLength(1);
    });
  });

  describe('after emission', () => {
    it('keeps no records in a context the application holds on to', async () => {
      h = setupOtel();
      let kept: Context | undefined;
      await h.request(() => {
        for (let i = 0; i < 100; i++)
          stepmark.recordEntity(`o${i}`, 's', 'a', { blob: 'x'.repeat(1000) });
        kept = context.active();
      });
      const [emitted] = await h.traces();
      expect(Object.keys(emitted?.entities ?? {})).toHaveLength(100);
      const retained = context.with(kept!, () => stepmark.collect());
      expect(retained?.entities).toBeUndefined();
    });
  });

  describe('.shutdown', () => {
    it('resolves and releases its hold when a sink throws synchronously on shutdown', async () => {
      h = setupOtel();
      const before = stepmark.stats().openSessions;
      const processor = new stepmark.StepmarkSpanProcessor({
        mode: 'always',
        exporters: [
          {
            export: () => undefined,
            shutdown: () => {
              throw new Error('sink shutdown broke');
            },
          },
        ],
      });
      await expect(processor.shutdown()).resolves.toBeUndefined();
      expect(stepmark.stats().openSessions).toBe(before);
      expect(stepmark.enabled()).toBe(false);
    });
  });
});
