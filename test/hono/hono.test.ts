import { describe, expect, it, afterEach, beforeEach } from 'vitest';
import type { Trace } from '../../src/index.js';
import { adapterSuite } from '../support/adapterSuite.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';
import { honoApp, honoRoutes } from './honoApp.js';

adapterSuite('stepmark-otel/hono on @hono/node-server', honoApp());

describe('stepmark-otel/hono under app.request (no socket)', () => {
  let h: Harness;
  beforeEach(() => {
    h = setupOtel();
  });
  afterEach(() => h.teardown());

  it('traces a triggered request, names its span by route and returns the header', async () => {
    const finished: Trace[] = [];
    const app = honoRoutes({
      rateLimit: false,
      responseHeader: 'X-Stepmark-Trace',
      responseHeaderWithoutAuthorization: true,
      onFinish: (t) => void finished.push(t),
    });
    const untriggered = await app.request('/orders/1');
    expect(await untriggered.text()).toBe('ok 1');
    const response = await app.request('/orders/42?x=1', { headers: { 'X-Stepmark': 'on' } });
    expect(await response.text()).toBe('ok 42');
    const header = JSON.parse(response.headers.get('x-stepmark-trace') ?? '{}') as Trace;
    expect(header.entities?.order_42?.events[0]?.action).toBe('cleared');
    expect(finished).toHaveLength(1);
    await h.processor.forceFlush();
    const [span, ...rest] = h.exporter.getFinishedSpans();
    expect(rest).toEqual([]);
    expect(span?.name).toBe('GET /orders/:id');
    expect(span?.attributes['url.path']).toBe('/orders/42');
    expect(span?.events.map((e) => e.name)).toContain('fraud_check: cleared');
  });
});
