// Issue 13: the opt-in admin route that runs a capture and answers with it in the Chrome trace
// format, protected as the viewer route is; and untriggered HTTP requests recorded while a
// capture runs. Real servers on 127.0.0.1; no assertion depends on how long anything takes (the
// route's capture is ended by its bound, or by the client going away).
import { createServer } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as stepmark from '../../../src/index.js';
import { withStepmark } from '../../../src/http/index.js';
import { registry } from '../../../src/core/registry.js';
import {
  captureRoute,
  captureStats,
  startCapture,
  type CaptureRouteOptions,
  type ChromeTrace,
} from '../../../src/runtime/index.js';
import { chromeTraceProblems } from '../../support/chromeTraceFormat.js';
import { listen } from '../../support/listen.js';
import { setupOtel, type Harness } from '../../support/otelHarness.js';

let h: Harness;
const closers: Array<() => Promise<void>> = [];
beforeEach(() => {
  h = setupOtel();
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await h.teardown();
});

async function serve(handler: Parameters<typeof createServer>[0] & object): Promise<string> {
  const app = await listen(createServer(handler));
  closers.push(app.close);
  return app.url;
}

const route = (options: CaptureRouteOptions) => serve(captureRoute(options));

describe('captureRoute', () => {
  describe('creation', () => {
    it('refuses to exist without authorize', () => {
      expect(() => captureRoute(undefined as never)).toThrow(
        /^stepmark-otel: authorize must be a function .*a capture records every request/,
      );
      expect(() => captureRoute({ authorize: 'secret' as never })).toThrow(
        'got a string: use tokenAuthorizer(',
      );
      expect(() => captureRoute({ authorize: () => true, maxDurationMs: 0 })).toThrow(RangeError);
    });
  });

  it('answers 403 unless authorize says true, and captures nothing', async () => {
    const url = await route({ authorize: (req) => req.headers['x-admin'] === 'yes' });
    for (const headers of [{}, { 'x-admin': 'no' }]) {
      const res = await fetch(`${url}/?durationMs=5`, { headers });
      expect(res.status).toBe(403);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    const throwing = await route({
      authorize: () => {
        throw new Error('down');
      },
    });
    expect((await fetch(throwing)).status).toBe(403);
    const rejecting = await route({ authorize: () => Promise.reject(new Error('down')) });
    expect((await fetch(rejecting)).status).toBe(403);
    expect(registry.captures.size).toBe(0);
  });

  it.each(['0', '-5', 'abc', '1.5', '1e3', ''])('answers 400 for durationMs=%s', async (bad) => {
    const url = await route({ authorize: () => true });
    const res = await fetch(`${url}/?durationMs=${bad}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('durationMs');
  });

  it('answers 405 to other methods', async () => {
    const url = await route({ authorize: () => true });
    const res = await fetch(url, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  it('captures for the duration asked (cut to maxDurationMs) and answers the Chrome trace as an attachment', async () => {
    const app = await serve(
      withStepmark((_req, res) => {
        stepmark.record('handler', 'served');
        res.end('ok');
      }),
    );
    // maxTraces 1: the capture ends at the first request, whatever the clock says.
    const url = await route({ authorize: async () => true, maxDurationMs: 60_000, maxTraces: 1 });
    const answer = fetch(`${url}/?durationMs=600000`);
    await vi.waitFor(() => expect(registry.captures.size).toBe(1));
    expect(await (await fetch(`${app}/orders?id=1`)).text()).toBe('ok');
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="stepmark-capture-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.json"$/,
    );
    const doc = (await res.json()) as ChromeTrace;
    expect(chromeTraceProblems(doc)).toEqual([]);
    expect(doc.otherData.capture).toMatchObject({
      durationMs: 60_000,
      traces: 1,
      reason: 'maxTraces',
    });
    const slices = doc.traceEvents.filter((e) => e.ph === 'X').map((e) => e.name);
    expect(slices).toEqual(['GET']);
    expect(doc.traceEvents.filter((e) => e.ph === 'i').map((e) => e.name)).toEqual([
      'handler: served',
    ]);
  });

  it('answers 409 while its capture runs; a client that goes away ends its capture', async () => {
    const url = await route({ authorize: () => true, maxDurationMs: 60_000 });
    const busyBefore = captureStats().routeBusy;
    const first = new AbortController();
    const pending = fetch(`${url}/?durationMs=60000`, { signal: first.signal }).catch(
      (error: unknown) => error,
    );
    await vi.waitFor(() => expect(registry.captures.size).toBe(1));
    const second = await fetch(`${url}/?durationMs=10`);
    expect(second.status).toBe(409);
    expect(captureStats().routeBusy).toBe(busyBefore + 1);
    first.abort();
    await pending;
    await vi.waitFor(() => expect(registry.captures.size).toBe(0));
    // Free again: a new capture runs (and is ended by its bound).
    const again = fetch(`${url}/?durationMs=1`);
    expect((await again).status).toBe(200);
  });

  it('answers 503 when no processor is registered to capture from', async () => {
    await h.processor.shutdown();
    const url = await route({ authorize: () => true });
    const res = await fetch(`${url}/?durationMs=50`);
    expect(res.status).toBe(503);
  });
});

describe('HTTP requests during a capture', () => {
  it('an untriggered request records for the capture alone: no onFinish, no header, no rate-limit token', async () => {
    const finished: unknown[] = [];
    const app = await serve(
      withStepmark(
        (_req, res) => {
          stepmark.recordEntity('order_7', 'stock', 'reserved');
          res.end(String(stepmark.enabled()));
        },
        {
          onFinish: (t) => void finished.push(t),
          responseHeader: 'x-stepmark-trace',
          rateLimit: { perSecond: 1, burst: 1 },
        },
      ),
    );
    expect(await (await fetch(app)).text()).toBe('false'); // no capture: untraced
    const capture = startCapture();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${app}/item/${i}?secret=x`);
      expect(await res.text()).toBe('true');
      expect(res.headers.get('x-stepmark-trace')).toBeNull();
    }
    const traces = await capture.stop();
    expect(traces).toHaveLength(3);
    expect(traces.map((t) => t.entities?.order_7?.events[0]?.action)).toEqual([
      'reserved',
      'reserved',
      'reserved',
    ]);
    expect(traces[0]?.spans?.[0]).toMatchObject({ name: 'GET', tags: { 'url.path': '/item/0' } });
    expect(finished).toEqual([]);
    expect(await h.traces()).toEqual([]);
    expect(stepmark.stats().rateLimitedRequests).toBe(0);
    // A triggered request during a capture is traced as always: onFinish, sinks, and the capture.
    const again = startCapture();
    await fetch(app, { headers: { 'x-stepmark': '1' } });
    expect(await again.stop()).toHaveLength(1);
    await vi.waitFor(() => expect(finished).toHaveLength(1));
    expect(await h.traces()).toHaveLength(1);
  });
});
