import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { context, propagation } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import {
  entityHistory,
  JaegerClient,
  rebuildTraces,
  type OtlpTracesData,
} from '../../src/jaeger/index.js';
import { run as cli } from '../../src/cli/main.js';
import { ENTITY_SEARCH_ATTRIBUTE } from '../../src/jaeger/search.js';
import { eventually, findJaeger, JaegerProcess } from '../support/jaeger.js';
import { startService, type JaegerService } from '../support/jaegerService.js';

const found = findJaeger();
const required = process.env.STEPMARK_REQUIRE_JAEGER === '1';
if ('reason' in found) {
  if (required) throw new Error(`STEPMARK_REQUIRE_JAEGER=1 but ${found.reason}`);
  console.log(`skipping Jaeger end-to-end tests: ${found.reason}`);
}

/** The spans of one trace as Jaeger stores them, once all `minSpans` have arrived. */
async function storedTrace(
  client: JaegerClient,
  traceId: string,
  minSpans: number,
): Promise<OtlpTracesData> {
  return eventually(async () => {
    const data = await client.getTrace(traceId);
    const count = (data.resourceSpans ?? [])
      .flatMap((r) => r.scopeSpans ?? [])
      .flatMap((s) => s.spans ?? []).length;
    return count >= minSpans ? data : undefined;
  }, `trace ${traceId} with ${minSpans} span(s) in Jaeger`);
}

describe.skipIf('reason' in found)('Jaeger end to end', () => {
  let jaeger: JaegerProcess;
  let service: JaegerService;
  let client: JaegerClient;

  beforeAll(async () => {
    jaeger = await JaegerProcess.create((found as { binary: string }).binary);
    await jaeger.start();
    service = startService('checkout', jaeger.otlpTracesUrl);
    client = new JaegerClient(jaeger.queryUrl);
  }, 120_000);

  afterAll(async () => {
    await service?.shutdown();
    await jaeger?.stop();
  }, 60_000);

  /** A traced request of the checkout service; returns its trace id once exported. */
  async function checkout(fn: () => void | Promise<void>): Promise<string> {
    let traceId = '';
    await service.tracer.startActiveSpan('POST /checkout', async (span) => {
      traceId = span.spanContext().traceId;
      await context.with(stepmark.enable({ traceMeta: { route: '/checkout' } }), fn);
      span.end();
    });
    await service.flush();
    return traceId;
  }

  it('stores the decisions on the right spans with the attributes of the spec', async () => {
    const traceId = await checkout(async () => {
      stepmark.track('order_42', { total: 99.5 }, { kind: 'order' });
      stepmark.recordEntity('order_42', 'fraud_check', 'cleared', { score: 0.02, rules: ['geo'] });
      await service.tracer.startActiveSpan('payment', async (span) => {
        stepmark.recordEntity('order_42', 'payment', 'captured', { amount: 99.5 });
        span.end();
      });
    });
    const data = await storedTrace(client, traceId, 2);
    const spans = (data.resourceSpans ?? [])
      .flatMap((r) => r.scopeSpans ?? [])
      .flatMap((s) => s.spans ?? []);
    const byName = new Map(spans.map((s) => [s.name, s]));
    const attrs = (list: Array<{ key: string; value?: unknown }> | undefined) =>
      Object.fromEntries((list ?? []).map((kv) => [kv.key, kv.value]));
    const payment = byName.get('payment');
    expect(payment?.events?.map((e) => [e.name, attrs(e.attributes)])).toEqual([
      [
        'payment: captured',
        {
          'stepmark.stage': { stringValue: 'payment' },
          'stepmark.action': { stringValue: 'captured' },
          'stepmark.entity.id': { stringValue: 'order_42' },
          'stepmark.entity.kind': { stringValue: 'order' },
          'stepmark.meta.amount': { doubleValue: 99.5 },
          'stepmark.seq': { intValue: expect.stringMatching(/^\d+$/) },
        },
      ],
    ]);
    const root = byName.get('POST /checkout');
    // Jaeger does not keep the order events were written in; the rebuild orders them by time.
    expect(root?.events?.map((e) => e.name).sort()).toEqual([
      'fraud_check: cleared',
      'stepmark.track',
    ]);
    expect(attrs(root?.attributes)['stepmark.trace.meta.route']).toEqual({
      stringValue: '/checkout',
    });
    const [rebuilt] = rebuildTraces(data);
    expect(rebuilt?.entities?.order_42).toMatchObject({
      kind: 'order',
      meta: { total: 99.5 },
      events: [
        {
          stage: 'fraud_check',
          action: 'cleared',
          meta: { score: 0.02, rules: ['geo'] },
          service: 'checkout',
        },
        { stage: 'payment', action: 'captured', meta: { amount: 99.5 }, service: 'checkout' },
      ],
    });
    expect(rebuilt?.meta).toEqual({ route: '/checkout' });
  }, 60_000);

  it('finds the traces that touched an entity by searching its id', async () => {
    const entity = `order_${Date.now()}`;
    const touched = await checkout(() => stepmark.recordEntity(entity, 'validate', 'passed'));
    const alsoTouched = await checkout(() => stepmark.recordEntity(entity, 'refund', 'issued'));
    const untouched = await checkout(() =>
      stepmark.recordEntity('someone_else', 'validate', 'passed'),
    );
    await storedTrace(client, untouched, 1);
    // Jaeger's own search must do the filtering: ask it directly, not through entityHistory.
    const matched = await eventually(async () => {
      const ids = await client.findTraceIds({
        service: 'checkout',
        attributes: { [ENTITY_SEARCH_ATTRIBUTE]: entity },
        startMin: Date.now() - 600_000,
      });
      return ids.length >= 2 ? ids : undefined;
    }, `Jaeger search for ${entity}`);
    expect([...matched].sort()).toEqual([touched, alsoTouched].sort());
    const history = await entityHistory(client, entity, { service: 'checkout', sinceMs: 600_000 });
    expect(history.traces.sort()).toEqual([touched, alsoTouched].sort());
    expect(history.events.map((e) => e.action)).toEqual(['passed', 'issued']);
  }, 60_000);

  it('keeps every one of more than 128 decisions on one span', async () => {
    const traceId = await checkout(() => {
      for (let i = 0; i < 300; i++) stepmark.recordEntity('order_big', 'loop', `step_${i}`);
    });
    const data = await storedTrace(client, traceId, 3); // the request span and 2 overflow spans (128 + 128 + 44)
    const [rebuilt] = rebuildTraces(data);
    expect(rebuilt?.entities?.order_big?.events.map((e) => e.action)).toEqual(
      Array.from({ length: 300 }, (_, i) => `step_${i}`),
    );
    expect(rebuilt?.dropped_span_events).toBeUndefined();
  }, 60_000);

  it('joins two services (two processes) into one trace with both services decisions', async () => {
    const inventory = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./fixtures/inventoryService.ts', import.meta.url)),
        jaeger.otlpTracesUrl,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const [line] = (await once(inventory.stdout!, 'data')) as [Buffer];
      const port = Number(line.toString().trim());
      const traceId = await checkout(async () => {
        stepmark.recordEntity('order_77', 'fraud_check', 'cleared');
        const headers: Record<string, string> = {};
        propagation.inject(context.active(), headers);
        const response = await fetch(`http://127.0.0.1:${port}/reserve?order=order_77`, {
          headers,
        });
        expect(await response.text()).toBe('ok');
        stepmark.recordEntity('order_77', 'payment', 'captured');
      });
      const data = await eventually(async () => {
        const d = await client.getTrace(traceId);
        const services = new Set(
          (d.resourceSpans ?? []).map(
            (r) =>
              r.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue,
          ),
        );
        return services.has('inventory') && services.has('checkout') ? d : undefined;
      }, 'both services in one trace');
      const [rebuilt] = rebuildTraces(data);
      expect(rebuilt?.trace_id).toBe(traceId);
      expect(
        rebuilt?.entities?.order_77?.events.map((e) => `${e.service}:${e.stage}:${e.action}`),
      ).toEqual([
        'checkout:fraud_check:cleared',
        'inventory:inventory:reserved',
        'checkout:payment:captured',
      ]);
      expect(rebuilt?.entities?.sku_lamp?.events[0]?.service).toBe('inventory');
      const reserve = rebuilt?.spans?.find((s) => s.name === 'GET /reserve');
      const root = rebuilt?.spans?.find((s) => s.name === 'POST /checkout');
      expect(reserve?.parent_id).toBe(root?.span_id);
    } finally {
      inventory.kill('SIGTERM');
      await once(inventory, 'exit');
    }
  }, 60_000);

  it('rebuilds a trace and an entity history with the CLI', async () => {
    const entity = `order_cli_${Date.now()}`;
    const traceId = await checkout(() => {
      stepmark.recordEntity(entity, 'fraud_check', 'cleared', { score: 0.02 });
      stepmark.recordEntity(entity, 'payment', 'captured');
    });
    await storedTrace(client, traceId, 1);
    const json = await cli(['jaeger', 'trace', traceId, '--json', '--jaeger-url', jaeger.queryUrl]);
    expect(json.code).toBe(0);
    expect(
      JSON.parse(json.stdout).entities[entity].events.map((e: { action: string }) => e.action),
    ).toEqual(['cleared', 'captured']);
    const timeline = await cli(['jaeger', 'trace', traceId], { JAEGER_URL: jaeger.queryUrl });
    expect(timeline.code).toBe(0);
    expect(timeline.stdout).toContain(`${entity}  fraud_check cleared  score=0.02`);
    expect(timeline.stdout).not.toContain('\u001b['); // no colours when not a TTY
    const history = await eventually(async () => {
      const r = await cli([
        'jaeger',
        'entity',
        entity,
        '--since',
        '10m',
        '--json',
        '--jaeger-url',
        jaeger.queryUrl,
      ]);
      return r.code === 0 ? r : undefined;
    }, 'entity search through the CLI');
    expect(JSON.parse(history.stdout)).toMatchObject({ entity_id: entity, traces: [traceId] });
    const missing = await cli([
      'jaeger',
      'trace',
      '0af7651916cd43dd8448eb211c80319c',
      '--jaeger-url',
      jaeger.queryUrl,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/);
  }, 60_000);
});

describe('CLI without Jaeger', () => {
  it('says Jaeger is unreachable and exits non-zero', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((resolve) => server.close(() => resolve())); // nothing listens there now
    const result = await cli([
      'jaeger',
      'trace',
      '0af7651916cd43dd8448eb211c80319c',
      '--jaeger-url',
      `http://127.0.0.1:${port}`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`Jaeger is not reachable at http://127.0.0.1:${port}`),
    );
  });

  it('rejects bad usage with exit code 2', async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(['jaeger', 'entity', 'x', '--since', 'forever'])).code).toBe(2);
    expect((await cli(['jaeger', 'trace'])).code).toBe(2);
  });
});
