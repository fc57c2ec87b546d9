import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECORD_KINDS } from '../../../src/core/records/recordKinds.js';
import * as stepmark from '../../../src/index.js';
import { RaceDetector, trackAsync, trackStateChange } from '../../../src/concurrency/index.js';
import { rebuildTraces } from '../../../src/jaeger/index.js';
import { log, region, task } from '../../../src/runtime/index.js';
import type { Trace } from '../../../src/index.js';
import { setupOtel, type Harness } from '../../support/otelHarness.js';
import { toOtlpJson, type FinishedSpan } from '../../support/otlpJson.js';

/**
 * Per record kind, calls that make records of it (with meta of every shape, nested spans, and
 * calls made with no span). Every registered kind must have one: a new kind without a round
 * trip fails the first test.
 */
const SCENARIOS: Record<string, () => Promise<void> | void> = {
  decision: async () => {
    stepmark.recordEntity('order_1', 'fraud_check', 'cleared', {
      score: 0.02,
      rules: ['velocity', 'geo'],
      card: { brand: 'visa' },
      note: null,
    });
    stepmark.record('cache', 'miss', { key: 'prices:eu' });
    await Promise.resolve();
    stepmark.scope('order').recordEvent('order_2', 'pricing', 'discounted', { pct: 10 });
    stepmark.recordEntity('order_1', 'payment', 'captured');
  },
  state: () => {
    trackStateChange('cart.total', 0, 99.5, 'write');
    trackStateChange('cart.items', ['sku_1'], ['sku_1'], 'read');
    trackStateChange('user.password', 'a', 'b', 'write'); // redacted
    trackStateChange('cart.meta', null, { coupon: 'X10', tags: ['a'] }, 'write');
  },
  race: async () => {
    await Promise.all([
      trackAsync('a', async () => {
        await Promise.resolve();
        trackStateChange('stock.sku_1', 5, 4, 'write');
      }),
      trackAsync('b', async () => {
        await Promise.resolve();
        trackStateChange('stock.sku_1', 5, 3, 'write');
      }),
    ]);
  },
  log: async () => {
    log('request', 'received', { route: '/checkout', ids: [1, 2], nested: { a: null } });
    await task('checkout', () =>
      region('pricing', async () => {
        log('pricing', 'rule applied', { rule: 'eu-vat' });
        await Promise.resolve();
        log('', 'no category');
      }),
    );
  },
  track: () => {
    stepmark.track('user_7', { plan: 'free', country: 'FR' }, { kind: 'visitor' });
    stepmark.track('user_7', { plan: 'pro', tags: ['a', 'b'] });
    stepmark.track('user_7', undefined, { kind: 'user' });
    stepmark.track('order_9', { total: 99.5 });
  },
};

/** What the backend can tell: the live JSON less what only lives in process (services aside). */
function comparable(trace: Trace | undefined) {
  const strip = (t: Trace | undefined) => {
    const events = (list: NonNullable<Trace['events']>) =>
      list.map(({ service: _service, ...event }) => event);
    return {
      entities: Object.fromEntries(
        Object.entries(t?.entities ?? {}).map(([id, e]) => [
          id,
          { ...e, events: events(e.events) },
        ]),
      ),
      events: events(t?.events ?? []),
      meta: t?.meta,
      state: (t?.state ?? []).map(({ service: _service, ...access }) => access),
      races: t?.races,
      logs: (t?.logs ?? []).map(({ service: _service, ...entry }) => entry),
    };
  };
  return strip(trace);
}

describe('record kinds', () => {
  let h: Harness;
  beforeEach(() => {
    h = setupOtel({ processor: { analyzers: [new RaceDetector()] } });
  });
  afterEach(() => h.teardown());

  it('every registered kind has a round trip below', () => {
    expect(RECORD_KINDS.map((k) => k.name).sort()).toEqual(Object.keys(SCENARIOS).sort());
  });

  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(`${name}: record → span events → OTLP JSON → rebuilt trace equals the live JSON`, async () => {
      await h.tracer.startActiveSpan('request', async (root) => {
        await stepmark.withTracing(
          async () => {
            await h.tracer.startActiveSpan('child', async (child) => {
              await scenario();
              child.end();
            });
            await scenario();
          },
          { traceMeta: { route: '/checkout', attempt: 2 } },
        );
        root.end();
      });
      const [live] = await h.traces();
      expect(live).toBeDefined();
      const spans = h.exporter.getFinishedSpans() as unknown as FinishedSpan[];
      const [rebuilt] = rebuildTraces(toOtlpJson(spans, 'checkout'));
      expect(rebuilt?.trace_id).toBe(live?.trace_id);
      expect(comparable(rebuilt)).toEqual(comparable(live));
      // The scenario made records of its kind (a round trip of nothing proves nothing).
      if (name === 'state') expect(live?.state).toHaveLength(8);
      if (name === 'race') expect(live?.races?.length).toBeGreaterThan(0);
      if (name === 'log') expect(live?.logs).toHaveLength(6);
      // The rebuilt events say where they came from.
      const all = [
        ...Object.values(rebuilt?.entities ?? {}).flatMap((e) => e.events),
        ...(rebuilt?.events ?? []),
      ];
      expect(all.every((e) => e.service === 'checkout')).toBe(true);
    });
  }
});
