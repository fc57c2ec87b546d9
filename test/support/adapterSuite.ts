// One behaviour, every framework: each adapter's test drives a real app of its framework on
// 127.0.0.1 through this suite, with and without the framework's OpenTelemetry instrumentation.
import { SpanKind } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import { tokenAuthorizer, type StepmarkHttpOptions } from '../../src/http/index.js';
import { setupOtel, type Harness } from './otelHarness.js';
import { untilDone } from './turns.js';

/** A running app: its base URL, and how to stop it. */
export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the framework's app with the adapter installed (with `options`), serving
 * `GET /orders/:id` and `POST /orders` (JSON body `{ id }`), both calling `decide(id)`.
 */
export type StartApp = (options: StepmarkHttpOptions<unknown>) => Promise<RunningApp>;

/** Something with `setTracerProvider`: an OTel instrumentation (or `@fastify/otel`). */
export interface InstrumentationLike {
  setTracerProvider(provider: unknown): void;
}

/** What every route handler of the test apps does: one decision, with a secret in its meta. */
export function decide(id: string): string {
  stepmark.recordEntity(`order_${id}`, 'fraud_check', 'cleared', { score: 0.02, password: 'p' });
  return `ok ${id}`;
}

const TOKEN = 'adapter-suite-token';

/**
 * What each test of an adapter suite starts with: a fresh OTel harness, given to the
 * instrumentations in use, no finished traces yet, and `token` as the shared secret.
 */
export function startSuiteTest(
  instrumentations: InstrumentationLike[] | undefined,
  token: string,
): { h: Harness; finished: Trace[] } {
  const h = setupOtel();
  for (const i of instrumentations ?? []) i.setTracerProvider(h.provider);
  process.env.STEPMARK_TOKEN = token;
  return { h, finished: [] };
}

/** Undoes `startSuiteTest`, once the test's app is stopped. */
export async function endSuiteTest(h: Harness): Promise<void> {
  delete process.env.STEPMARK_TOKEN;
  await h.teardown();
}

export interface AdapterSuiteOptions {
  /** The instrumentations in use (registered by the test file before loading its framework). */
  instrumentations?: InstrumentationLike[];
  /** The instrumentation scope whose span is the request's server span, when instrumented. */
  serverScope?: string;
  /** Name of stepmark's own server span for `GET /orders/:id` (default `GET /orders/:id`). */
  routeSpanName?: string;
  /** The app also serves `POST /raw`, reading its body with `req.on('data' | 'end')` itself. */
  rawBody?: boolean;
}

export function adapterSuite(name: string, start: StartApp, suite: AdapterSuiteOptions = {}): void {
  const instrumented = (suite.instrumentations?.length ?? 0) > 0;
  describe(name, () => {
    let h: Harness;
    let app: RunningApp | undefined;
    let finished: Trace[];
    beforeEach(() => {
      ({ h, finished } = startSuiteTest(suite.instrumentations, TOKEN));
    });
    afterEach(async () => {
      await app?.close();
      app = undefined;
      await endSuiteTest(h);
    });

    async function run(options: StepmarkHttpOptions<unknown> = {}): Promise<string> {
      app = await start({
        rateLimit: false,
        ...options,
        onFinish: (t: Trace) => void finished.push(t),
      });
      return app.url;
    }

    /** The finished spans of the app once every traced request handed over its trace. */
    async function spans(expectedTraces: number) {
      await untilDone(() => finished.length >= expectedTraces);
      await h.processor.forceFlush();
      return h.exporter.getFinishedSpans();
    }

    it('leaves an untriggered request alone', async () => {
      const url = await run();
      const response = await fetch(`${url}/orders/1`);
      expect(await response.text()).toBe('ok 1');
      const all = await spans(0);
      expect(finished).toEqual([]);
      expect(all.filter((s) => s.instrumentationScope.name === 'stepmark-otel/http')).toEqual([]);
      expect(all.flatMap((s) => s.events)).toEqual([]);
    });

    it('records a triggered request on exactly one server span', async () => {
      const url = await run();
      const response = await fetch(`${url}/orders/42`, { headers: { 'X-Stepmark': 'true' } });
      expect(await response.text()).toBe('ok 42');
      const all = await spans(1);
      expect(finished).toHaveLength(1);
      const event = finished[0]?.entities?.order_42?.events[0];
      expect(event?.action).toBe('cleared');
      expect(event?.meta).toEqual({ score: 0.02, password: '[REDACTED]' });
      const servers = all.filter((s) => s.kind === SpanKind.SERVER);
      expect(servers).toHaveLength(1);
      const server = servers[0]!;
      if (instrumented) {
        expect(server.instrumentationScope.name).toBe(suite.serverScope);
      } else {
        expect(server.instrumentationScope.name).toBe('stepmark-otel/http');
        expect(server.name).toBe(suite.routeSpanName ?? 'GET /orders/:id');
        expect(server.attributes['http.response.status_code']).toBe(200);
      }
      // Every decision lies in the request's trace, on the server span or one of its children.
      const recorded = all.filter((s) =>
        s.events.some((e) => e.attributes?.['stepmark.stage'] !== undefined),
      );
      expect(recorded.length).toBeGreaterThan(0);
      for (const s of recorded) {
        expect(s.spanContext().traceId).toBe(server.spanContext().traceId);
        expect(s.events[0]?.attributes?.['stepmark.entity.id']).toBe('order_42');
      }
      expect(finished[0]?.trace_id).toBe(server.spanContext().traceId);
    });

    it('keeps the request context through a request body', async () => {
      const url = await run();
      const response = await fetch(`${url}/orders`, {
        method: 'POST',
        headers: { 'X-Stepmark': 'true', 'content-type': 'application/json' },
        body: JSON.stringify({ id: '7' }),
      });
      expect(await response.text()).toBe('ok 7');
      await spans(1);
      expect(finished[0]?.entities?.order_7?.events[0]?.action).toBe('cleared');
    });

    // Only where the app has such a route (Express's): elsewhere there is nothing to test.
    if (suite.rawBody === true)
      it('keeps the request context in listeners a handler adds to the request itself', async () => {
        const url = await run();
        const response = await fetch(`${url}/raw`, {
          method: 'POST',
          headers: { 'X-Stepmark': 'true' },
          body: JSON.stringify({ id: '8' }),
        });
        expect(await response.text()).toBe('ok 8');
        await spans(1);
        expect(finished[0]?.entities?.order_8?.events[0]?.action).toBe('cleared');
      });

    it('continues the caller trace and records for upstream baggage stepmark=1', async () => {
      const url = await run();
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const response = await fetch(`${url}/orders/9`, {
        headers: {
          traceparent: `00-${traceId}-b7ad6b7169203331-01`,
          baggage: 'tenant=a,stepmark=1',
        },
      });
      await response.text();
      await spans(1);
      expect(finished[0]?.trace_id).toBe(traceId);
      expect(finished[0]?.entities?.order_9).toBeDefined();
    });

    it('returns the trace in a header to an authorized caller only', async () => {
      const url = await run({
        authorize: tokenAuthorizer(),
        responseHeader: 'X-Stepmark-Trace',
      });
      const refused = await fetch(`${url}/orders/1`, {
        headers: { 'X-Stepmark': 'true', 'X-Stepmark-Token': 'wrong' },
      });
      await refused.text();
      expect(refused.headers.get('x-stepmark-trace')).toBeNull();
      const allowed = await fetch(`${url}/orders/2`, {
        headers: { 'X-Stepmark': 'true', 'X-Stepmark-Token': TOKEN },
      });
      expect(await allowed.text()).toBe('ok 2');
      const header = JSON.parse(allowed.headers.get('x-stepmark-trace') ?? '{}') as Trace;
      expect(header.entities?.order_2?.events[0]?.meta).toEqual({
        score: 0.02,
        password: '[REDACTED]',
      });
      await spans(1);
      expect(finished.map((t) => Object.keys(t.entities ?? {}))).toEqual([['order_2']]);
    });
  });
}
