// Flow mode (issue 11, item 1): `mode: 'always'` emits every request the provider records, with
// its span tree when nothing was recorded, under the same caps; spans still open at emission are
// listed with `open: true`.
import { context, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

describe("flow mode (mode: 'always')", () => {
  it('emits a request with spans and no decisions, its span tree whole', async () => {
    h = setupOtel({ processor: { mode: 'always' } });
    const harness = h;
    harness.tracer.startActiveSpan('GET /health', (root) => {
      harness.tracer.startActiveSpan('db.ping', (child) => {
        stepmark.addTag('db.system', 'postgresql');
        child.end();
      });
      root.end();
    });
    const [json, ...rest] = await harness.traces();
    expect(rest).toEqual([]);
    expect(json?.entities).toBeUndefined();
    expect(json?.events).toBeUndefined();
    const spans = json?.spans ?? [];
    expect(spans.map((s) => s.name).sort()).toEqual(['GET /health', 'db.ping']);
    const root = spans.find((s) => s.name === 'GET /health');
    const child = spans.find((s) => s.name === 'db.ping');
    expect(child?.parent_id).toBe(root?.span_id);
    expect(child?.tags).toEqual({ 'db.system': 'postgresql' });
    expect(spans.some((s) => s.open === true)).toBe(false);
    expect(harness.processor.recent().map((t) => t.trace_id)).toEqual([json?.trace_id]);
  });

  it('emits one trace per request, each under its own trace id', async () => {
    h = setupOtel({ processor: { mode: 'always' } });
    const harness = h;
    for (const name of ['GET /a', 'GET /b', 'GET /c']) {
      harness.tracer.startActiveSpan(name, (span) => span.end());
    }
    const traces = await harness.traces();
    expect(traces.map((t) => t.spans?.map((s) => s.name))).toEqual([
      ['GET /a'],
      ['GET /b'],
      ['GET /c'],
    ]);
    expect(new Set(traces.map((t) => t.trace_id)).size).toBe(3);
  });

  it('lists a child still open when its request ends with open: true, and not again when it ends', async () => {
    h = setupOtel({ processor: { mode: 'always' } });
    const harness = h;
    let background: ReturnType<typeof harness.tracer.startSpan> | undefined;
    harness.tracer.startActiveSpan('POST /orders', (root) => {
      background = harness.tracer.startSpan('send-email');
      stepmark.recordEntity('order_1', 'checkout', 'accepted');
      root.end();
    });
    background?.end();
    const traces = await harness.traces();
    expect(traces).toHaveLength(1);
    const spans = traces[0]?.spans ?? [];
    const open = spans.find((s) => s.name === 'send-email');
    expect(open?.open).toBe(true);
    expect(open?.parent_id).toBe(spans.find((s) => s.name === 'POST /orders')?.span_id);
    expect(open?.duration_ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(open?.end_time ?? '')).toBeGreaterThanOrEqual(
      Date.parse(open?.start_time ?? ''),
    );
    expect(traces[0]?.entities?.order_1?.events[0]?.action).toBe('accepted');
  });

  it('lists every span of a request still running at shutdown as open, the trace incomplete', async () => {
    h = setupOtel({ processor: { mode: 'always' } });
    const harness = h;
    const root = harness.tracer.startSpan('GET /slow');
    const child = harness.tracer.startSpan('query', {}, trace.setSpan(context.active(), root));
    child.setAttribute('db.statement', 'select 1');
    await harness.processor.shutdown();
    const [json] = await harness.traces();
    expect(json?.incomplete).toBe('shutdown');
    expect(json?.spans?.map((s) => [s.name, s.open])).toEqual([
      ['GET /slow', true],
      ['query', true],
    ]);
    expect(json?.spans?.[1]?.tags).toEqual({ 'db.statement': 'select 1' });
    root.end();
    child.end();
  });

  it('keeps maxSpans across open and ended spans, and counts the rest', async () => {
    h = setupOtel({ processor: { mode: 'always', maxSpans: 2 } });
    const harness = h;
    harness.tracer.startActiveSpan('root', (root) => {
      const kept = harness.tracer.startSpan('kept-open');
      for (let i = 0; i < 3; i++) harness.tracer.startSpan(`child-${i}`).end();
      root.end();
      kept.end();
    });
    const [json] = await harness.traces();
    expect(json?.spans).toHaveLength(2);
    expect(json?.spans?.map((s) => s.name).sort()).toEqual(['kept-open', 'root']);
    expect(json?.dropped_spans).toBe(3);
  });

  it("still emits nothing for a request nobody triggered in 'on-demand' mode", async () => {
    h = setupOtel();
    const harness = h;
    harness.tracer.startActiveSpan('GET /untraced', (span) => span.end());
    expect(await harness.traces()).toEqual([]);
    expect(harness.processor.stats().tracesEmitted).toBe(0);
  });

  it('lists open spans of an on-demand trace too (a child outliving its request)', async () => {
    h = setupOtel();
    const harness = h;
    let background: ReturnType<typeof harness.tracer.startSpan> | undefined;
    await harness.request(() => {
      background = harness.tracer.startSpan('cache-refresh');
      stepmark.record('request', 'served');
    });
    const [json] = await harness.traces();
    expect(json?.spans?.find((s) => s.name === 'cache-refresh')?.open).toBe(true);
    background?.end();
  });
});
