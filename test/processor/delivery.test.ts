import type * as Http from 'node:http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { withStepmark } from '../../src/http/index.js';
import type { Trace, TraceSink } from '../../src/index.js';
import { instrumentedRequire } from '../support/instrumented.js';
import { listen } from '../support/listen.js';
import { untilDone } from '../support/turns.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

const instrumentation = new HttpInstrumentation();
const http = instrumentedRequire([instrumentation])('node:http') as typeof Http;

/** GETs `url` with the instrumented `http` module (as a sink's own HTTP client would). */
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

describe('StepmarkSpanProcessor delivery', () => {
  let h: Harness;
  afterEach(() => h.teardown());

  describe('sinks', () => {
    beforeEach(() => {
      h = setupOtel();
      instrumentation.setTracerProvider(h.provider);
    });

    it('a sink calling a traced HTTP service adds no span to the trace and turns nothing on there', async () => {
      // The log service: stepmark middleware, honouring upstream baggage `stepmark=1`.
      const logged: Trace[] = [];
      const seenHeaders: Http.IncomingHttpHeaders[] = [];
      const server = http.createServer(
        withStepmark(
          (req, res) => {
            seenHeaders.push(req.headers);
            stepmark.record('log', 'stored');
            res.end('ok');
          },
          { onFinish: (t) => void logged.push(t) },
        ),
      );
      const app = await listen(server);
      const statuses: number[] = [];
      const sink: TraceSink = { export: async () => void statuses.push(await get(app.url)) };
      const processor = new stepmark.StepmarkSpanProcessor({ sinks: [sink] });
      let traceId = '';
      try {
        await h.tracer.startActiveSpan('request', async (span) => {
          traceId = span.spanContext().traceId;
          await stepmark.withTracing(() => stepmark.recordEntity('order_1', 'fraud', 'cleared'));
          span.end();
        });
        // The harness processor's own sink got the trace; ours made its HTTP call.
        await processor.forceFlush();
        await h.traces();
      } finally {
        await processor.shutdown();
        await app.close();
      }
      expect(statuses).toEqual([200]);
      expect(seenHeaders[0]?.baggage).toBeUndefined();
      expect(seenHeaders[0]?.traceparent).toBeUndefined();
      // Nothing was turned on in the log service: its request was not traced.
      expect(logged).toEqual([]);
      // The finished trace holds the request's spans only: no client span of the sink's call.
      const spans = h.exporter.getFinishedSpans();
      expect(spans.filter((s) => s.spanContext().traceId === traceId).map((s) => s.name)).toEqual([
        'request',
      ]);
      expect(
        spans.some((s) => s.kind === 2 /* SERVER */ && s.spanContext().traceId === traceId),
      ).toBe(false);
    });
  });

  describe('.collect and .recent', () => {
    beforeEach(() => {
      h = setupOtel({ processor: { recentTraces: 2 } });
    });

    it('returns a finished trace by id, and the recent ones newest first, each call a new copy', async () => {
      const ids: string[] = [];
      for (const order of ['order_1', 'order_2', 'order_3']) {
        await h.request(() => {
          ids.push(stepmark.collect()?.trace_id ?? '');
          stepmark.recordEntity(order, 'pricing', 'priced', { total: 5 });
        });
      }
      await h.traces();
      const latest = h.processor.collect(ids[2] ?? '');
      expect(latest?.entities?.order_3?.events[0]?.meta).toEqual({ total: 5 });
      expect(latest?.spans?.map((s) => s.name)).toEqual(['request']);
      // Bounded by recentTraces: the first trace is forgotten.
      expect(h.processor.collect(ids[0] ?? '')).toBeUndefined();
      expect(h.processor.recent().map((t) => t.trace_id)).toEqual([ids[2], ids[1]]);
      expect(h.processor.recent(1).map((t) => t.trace_id)).toEqual([ids[2]]);
      // Copies: changing one changes neither the next call nor what the sink received.
      latest!.entities!.order_3!.events[0]!.action = 'changed';
      expect(h.processor.collect(ids[2] ?? '')?.entities?.order_3?.events[0]?.action).toBe(
        'priced',
      );
      expect(h.sink.get(ids[2] ?? '')?.entities?.order_3?.events[0]?.action).toBe('priced');
    });

    it('keeps none with recentTraces: 0', async () => {
      await h.teardown();
      h = setupOtel({ processor: { recentTraces: 0 } });
      let id = '';
      await h.request(() => {
        id = stepmark.collect()?.trace_id ?? '';
        stepmark.record('s', 'a');
      });
      await h.traces();
      expect(h.processor.collect(id)).toBeUndefined();
      expect(h.processor.recent()).toEqual([]);
    });
  });

  describe('consumers', () => {
    it('a hung sink delays neither a healthy sink nor the others, and is capped and counted', async () => {
      // Hung until the test is over (then released, so that teardown's shutdown ends).
      const held: Array<() => void> = [];
      const hung: TraceSink = { export: () => new Promise<void>((resolve) => held.push(resolve)) };
      const healthy = new stepmark.InMemorySink({ maxTraces: 2_000 });
      h = setupOtel({ processor: { sinks: [hung, healthy], maxPendingExports: 100 } });
      for (let i = 0; i < 150; i++) await h.request(() => stepmark.record('s', `a${i}`));
      expect(await untilDone(() => healthy.traces.length === 150)).toBe(true);
      expect(h.sink.traces).toHaveLength(150);
      expect(h.processor.stats().exportsDropped).toBe(50);
      expect(held).toHaveLength(100);
      for (const release of held) release();
    });

    it('shutdown with a sink that never settles ends after exportTimeoutMs, and counts it', async () => {
      const never: TraceSink = { export: () => new Promise<void>(() => undefined) };
      // Short, so that the test ends soon; the outcome does not depend on how fast anything runs.
      h = setupOtel({ processor: { sinks: [never], exportTimeoutMs: 20 } });
      await h.request(() => stepmark.record('s', 'a'));
      await h.processor.shutdown();
      expect(h.sink.traces).toHaveLength(1);
      expect(h.processor.stats().exportTimeouts).toBe(1);
    });

    it('a second shutdown waits for the first', async () => {
      let release: () => void = () => undefined;
      const slow: TraceSink = {
        export: () => undefined,
        shutdown: () => new Promise<void>((resolve) => (release = resolve)),
      };
      h = setupOtel({ processor: { sinks: [slow] } });
      const first = h.processor.shutdown();
      const second = h.processor.shutdown();
      expect(second).toBe(first);
      let done = false;
      void second.then(() => (done = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(done).toBe(false);
      release();
      await second;
      expect(done).toBe(true);
    });
  });

  describe('analyzers', () => {
    it('see each record, add findings before consumers run, and are isolated', async () => {
      const seen: string[] = [];
      h = setupOtel({
        processor: {
          analyzers: [
            { onRecord: (r) => void seen.push(`${r.recordKind.name}:${r.action}`) },
            {
              name: 'broken',
              onRecord: () => {
                throw new Error('analyzer bug');
              },
              onTraceComplete: () => {
                throw new Error('analyzer bug');
              },
            },
            new stepmark.EntityOutcomes(),
          ],
        },
      });
      await h.request(() => {
        stepmark.track('order_1', { total: 5 });
        stepmark.recordEntity('order_1', 'fraud', 'cleared');
        stepmark.recordEntity('order_1', 'payment', 'declined');
        stepmark.recordEntity('user_1', 'login', 'ok');
      });
      const [trace] = await h.traces();
      expect(seen).toEqual(['track:track', 'decision:cleared', 'decision:declined', 'decision:ok']);
      expect(trace?.outcomes).toEqual({
        order_1: { stage: 'payment', action: 'declined', timestamp: expect.any(String) },
        user_1: { stage: 'login', action: 'ok', timestamp: expect.any(String) },
      });
      expect(h.processor.stats().analyzerErrors).toBe(5);
      // The findings are in what collect returns after the end too.
      expect(h.processor.collect(trace?.trace_id ?? '')?.outcomes?.order_1?.action).toBe(
        'declined',
      );
    });

    it('findings JSON cannot print are replaced, counted, and every consumer still prints', async () => {
      const cyclic: Record<string, unknown> = { name: 'loop' };
      cyclic.self = cyclic;
      h = setupOtel({
        processor: {
          maxTraces: 10,
          analyzers: [
            {
              onTraceComplete(t) {
                Object.assign(t, { big: 1n, cyclic, ok: { n: 1 }, fn: () => 1 });
                Object.defineProperty(t, 'unreadable', {
                  enumerable: true,
                  get: () => {
                    throw new Error('getter bug');
                  },
                });
              },
            },
            new stepmark.EntityOutcomes(),
          ],
        },
      });
      await h.request(() => stepmark.recordEntity('order_1', 'fraud', 'cleared'));
      const [trace] = await h.traces();
      const printed = JSON.parse(JSON.stringify(trace)) as Record<string, unknown>;
      expect(printed.big).toBe('1');
      expect(printed.cyclic).toEqual({ name: 'loop', self: '[Circular]' });
      expect(printed.ok).toEqual({ n: 1 });
      expect(printed).not.toHaveProperty('unreadable');
      expect(trace?.outcomes?.order_1?.action).toBe('cleared');
      // big, cyclic and unreadable: three fields replaced.
      expect(h.processor.stats().analyzerErrors).toBe(3);
      const id = trace?.trace_id ?? '';
      expect(JSON.parse(JSON.stringify(h.processor.collect(id)))).toEqual(printed);
      expect(() => JSON.stringify(h.processor.recent())).not.toThrow();
    });
  });
});
