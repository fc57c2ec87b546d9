// Issue 11: viewerRoute serves the processor's recent traces as the viewer page, only to
// requests `authorize` accepts, with headers that keep the page private and inert.
import { createServer, type IncomingMessage } from 'node:http';
import { context } from '@opentelemetry/api';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tokenAuthorizer } from '../../src/http/index.js';
import type { Trace } from '../../src/types.js';
import {
  AUTHORIZE_TIMEOUT_MS,
  CONTENT_SECURITY_POLICY,
  viewerRoute,
  type RecentTraceSource,
  type ViewerRouteOptions,
} from '../../src/viewer/index.js';
import { listen } from '../support/listen.js';
import { setupOtel } from '../support/otelHarness.js';
import { ORDER_42, ORDER_43 } from './checkoutTraces.js';
import { metaPolicy, pageData } from './readPage.js';

/** A processor's `recent`, remembering the limits it was asked for. */
function source(traces: Trace[]): RecentTraceSource & { limits: number[] } {
  const limits: number[] = [];
  return {
    limits,
    recent(limit) {
      limits.push(limit);
      return traces.slice(0, limit);
    },
  };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A `node:http` server with only the route; its base URL. */
async function serve(options: ViewerRouteOptions): Promise<string> {
  const app = await listen(createServer(viewerRoute(options)));
  closers.push(app.close);
  return app.url;
}

const allow = () => true;

describe('viewerRoute', () => {
  describe('creation', () => {
    it.each([
      [
        'no options',
        undefined,
        'stepmark-otel: processor must be a StepmarkSpanProcessor (an object with recent(limit)), got undefined: pass the processor given to your tracer provider',
      ],
      [
        'no authorize',
        { processor: source([]) },
        "stepmark-otel: authorize must be a function (req, head) => boolean | Promise<boolean> (the viewer serves traces, which carry business data: it needs one), got undefined: use tokenAuthorizer({ header: 'x-admin-token', env: 'ADMIN_TOKEN' }) from 'stepmark-otel/http' (a constant-time comparison with a secret from the environment)",
      ],
      [
        'authorize: a secret',
        { processor: source([]), authorize: 's3cret-token' },
        /^stepmark-otel: authorize must be a function \(req, head\) => boolean \| Promise<boolean>, got a string: use/,
      ],
      [
        'authorize: true',
        { processor: source([]), authorize: true },
        'stepmark-otel: authorize must be a function (req, head) => boolean | Promise<boolean>, got true',
      ],
      [
        'no processor',
        { authorize: allow },
        /^stepmark-otel: processor must be a StepmarkSpanProcessor/,
      ],
      [
        'a processor without recent',
        { processor: {}, authorize: allow },
        'stepmark-otel: processor must be a StepmarkSpanProcessor (an object with recent(limit)), got an object',
      ],
      [
        "limit: '10'",
        { processor: source([]), authorize: allow, limit: '10' },
        "stepmark-otel: limit must be an integer from 1 to 1000, got '10'",
      ],
      [
        'title: 5',
        { processor: source([]), authorize: allow, title: 5 },
        'stepmark-otel: title must be a string, got 5',
      ],
      [
        "jaegerUrl: 'jaeger:16686'",
        { processor: source([]), authorize: allow, jaegerUrl: 'jaeger:16686' },
        /^stepmark-otel: jaegerUrl must be the http\(s\) URL of Jaeger's UI/,
      ],
    ])('throws a TypeError with %s', (_, options, message) => {
      expect(() => viewerRoute(options as never)).toThrow(TypeError);
      expect(() => viewerRoute(options as never)).toThrow(message);
    });

    it('never repeats a string given as authorize, which may be the secret', () => {
      expect(() =>
        viewerRoute({ processor: source([]), authorize: 's3cret-token' as never }),
      ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
    });

    it.each([0, 1_001, 2.5])('throws a RangeError for limit: %s', (limit) => {
      expect(() => viewerRoute({ processor: source([]), authorize: allow, limit })).toThrow(
        new RangeError(`stepmark-otel: limit must be an integer from 1 to 1000, got ${limit}`),
      );
    });
  });

  describe('refusing', () => {
    it.each([
      ['false', () => false],
      ['a truthy non-boolean', () => 'yes' as never],
      ['a promise of false', () => Promise.resolve(false)],
      [
        'a throw',
        () => {
          throw new Error('auth backend down');
        },
      ],
      ['a rejection', () => Promise.reject(new Error('auth backend down'))],
    ])('answers 403 without a trace when authorize returns %s', async (_, authorize) => {
      const traces = source([ORDER_43]);
      const url = await serve({ processor: traces, authorize });
      const res = await fetch(url);
      expect(res.status).toBe(403);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      const body = await res.text();
      expect(body).toBe('Forbidden\n');
      expect(traces.limits).toEqual([]); // the traces were not even read
    });

    it('takes tokenAuthorizer() as authorize, as the HTTP middleware does', async () => {
      process.env.STEPMARK_VIEWER_TEST_TOKEN = 'a-long-random-secret';
      try {
        const url = await serve({
          processor: source([ORDER_43]),
          authorize: tokenAuthorizer({
            header: 'x-admin-token',
            env: 'STEPMARK_VIEWER_TEST_TOKEN',
          }),
        });
        const wrong = await fetch(url, { headers: { 'x-admin-token': 'guess' } });
        expect(wrong.status).toBe(403);
        const right = await fetch(url, { headers: { 'x-admin-token': 'a-long-random-secret' } });
        expect(right.status).toBe(200);
      } finally {
        delete process.env.STEPMARK_VIEWER_TEST_TOKEN;
      }
    });

    it('refuses when an async authorize has not settled after AUTHORIZE_TIMEOUT_MS, and ignores it later', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        const traces = source([ORDER_43]);
        let settle: (allowed: boolean) => void = () => undefined;
        const route = viewerRoute({
          processor: traces,
          authorize: () => new Promise<boolean>((resolve) => (settle = resolve)),
        });
        const res = {
          status: 0,
          headersSent: false,
          writableEnded: false,
          writeHead(status: number) {
            this.status = status;
            this.headersSent = true;
          },
          end() {
            this.writableEnded = true;
          },
        };
        route({ method: 'GET', headers: {} } as never, res as never);
        vi.advanceTimersByTime(AUTHORIZE_TIMEOUT_MS - 1);
        await Promise.resolve();
        expect(res.status).toBe(0); // still deciding
        vi.advanceTimersByTime(1);
        expect(res.status).toBe(403);
        settle(true); // too late: nothing more is written, the traces are never read
        await new Promise((resolve) => setImmediate(resolve));
        expect(res.status).toBe(403);
        expect(traces.limits).toEqual([]);
      } finally {
        vi.useRealTimers();
      }
    });

    it('passes the request to authorize', async () => {
      const seen: string[] = [];
      const url = await serve({
        processor: source([]),
        authorize: (req) => {
          seen.push(`${req.method} ${req.url} ${req.headers['x-admin-token']}`);
          return req.headers['x-admin-token'] === 'right';
        },
      });
      expect((await fetch(`${url}/x?y=1`, { headers: { 'x-admin-token': 'wrong' } })).status).toBe(
        403,
      );
      expect((await fetch(url, { headers: { 'x-admin-token': 'right' } })).status).toBe(200);
      expect(seen).toEqual(['GET /x?y=1 wrong', 'GET / right']);
    });
  });

  describe('serving', () => {
    it("serves the processor's recent traces as the viewer page", async () => {
      const traces = source([ORDER_43, ORDER_42]);
      const url = await serve({
        processor: traces,
        authorize: () => Promise.resolve(true),
        limit: 25,
        title: 'checkout',
        jaegerUrl: 'http://localhost:16686',
      });
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const html = await res.text();
      const data = pageData(html);
      expect(data.title).toBe('checkout');
      expect(data.traces.map((t) => [t.id, t.jaeger])).toEqual([
        [ORDER_43.trace_id, `http://localhost:16686/trace/${ORDER_43.trace_id}`],
        [ORDER_42.trace_id, `http://localhost:16686/trace/${ORDER_42.trace_id}`],
      ]);
      expect(traces.limits).toEqual([25]);
    });

    it('sends headers that keep the page uncached, unsniffed, unframed and offline', async () => {
      const url = await serve({ processor: source([ORDER_43]), authorize: allow });
      const res = await fetch(url);
      const html = await res.text();
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(html)));
      const policy = res.headers.get('content-security-policy');
      expect(policy).toBe(`${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`);
      expect(policy?.startsWith(metaPolicy(html))).toBe(true);
      expect(policy).toMatch(/^default-src 'none'; /);
    });

    it('serves 100 traces unless limit says otherwise', async () => {
      const traces = source([]);
      const url = await serve({ processor: traces, authorize: allow });
      await fetch(url);
      expect(traces.limits).toEqual([100]);
    });

    it('answers HEAD with the headers only', async () => {
      const url = await serve({ processor: source([ORDER_43]), authorize: allow });
      const res = await fetch(url, { method: 'HEAD' });
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('content-length'))).toBeGreaterThan(1_000);
      expect(await res.text()).toBe('');
    });

    it('answers 405 to other methods', async () => {
      const url = await serve({ processor: source([ORDER_43]), authorize: allow });
      const res = await fetch(url, { method: 'POST', body: 'x' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    });

    it('answers 500 when the processor fails, and keeps serving', async () => {
      let fail = true;
      const processor: RecentTraceSource = {
        recent() {
          if (fail) throw new Error('disk on fire');
          return [ORDER_43];
        },
      };
      const url = await serve({ processor, authorize: () => Promise.resolve(true) });
      const res = await fetch(url);
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('The stepmark-otel viewer failed; see the server log.\n');
      fail = false;
      expect((await fetch(url)).status).toBe(200);
    });

    it('serves what a real processor recorded for the checkout demo, order_43 failing', async () => {
      const otel = setupOtel({ processor: { recentTraces: 10 } });
      closers.push(() => otel.teardown());
      const { checkout } = await import('../../examples/checkout/checkout.js');
      for (const order of [
        {
          id: 'order_42',
          customer: 'c_2',
          country: 'DE',
          card: '4000056655665556',
          items: [{ sku: 'book', qty: 2, price: 12 }],
        },
        {
          id: 'order_43',
          customer: 'c_3',
          country: 'XX',
          card: '4000000000000002',
          items: [{ sku: 'desk', qty: 1, price: 250 }],
        },
      ]) {
        await otel.tracer.startActiveSpan(`POST /checkout ${order.id}`, async (span) => {
          const ctx = (await import('../../src/index.js')).enable({
            errorActions: ['blocked', 'rejected'],
          });
          await context.with(ctx, () => checkout(order));
          span.end();
        });
      }
      await otel.processor.forceFlush();
      const url = await serve({ processor: otel.processor, authorize: allow });
      const data = pageData(await (await fetch(url)).text());
      // Newest first.
      expect(data.traces.map((t) => t.label)).toEqual([
        'POST /checkout order_43',
        'POST /checkout order_42',
      ]);
      expect(data.traces[0]?.entities[0]).toMatchObject({
        id: 'order_43',
        failing: true,
        outcome: { stage: 'fraud_check', action: 'blocked' },
      });
      expect(data.traces[1]?.entities.some((e) => e.failing)).toBe(false);
    });
  });

  describe('in Express', () => {
    it('is a route handler; authorize gets the Express request', async () => {
      const app = express();
      app.get(
        '/debug/stepmark',
        viewerRoute<express.Request>({
          processor: source([ORDER_43]),
          authorize: (req) => req.get('x-admin-token') === 'right',
        }),
      );
      app.get('/', (_req, res) => void res.send('home'));
      const running = await listen(createServer(app));
      closers.push(running.close);
      expect((await fetch(`${running.url}/debug/stepmark`)).status).toBe(403);
      const res = await fetch(`${running.url}/debug/stepmark`, {
        headers: { 'x-admin-token': 'right' },
      });
      expect(res.status).toBe(200);
      expect(pageData(await res.text()).traces.map((t) => t.id)).toEqual([ORDER_43.trace_id]);
      expect(await (await fetch(running.url)).text()).toBe('home');
    });
  });

  it('types authorize with the request type of the server', () => {
    const typed: ViewerRouteOptions<IncomingMessage & { user?: string }> = {
      processor: source([]),
      authorize: (req) => req.user === 'admin',
    };
    expect(typeof viewerRoute(typed)).toBe('function');
  });
});
