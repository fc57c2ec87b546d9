// What a request does once recording is on: the calls every options property runs in the
// context that `enable`, `withTracing`, a processor or an HTTP trigger gave it.
import { expect } from 'vitest';
import * as stepmark from '../../../src/index.js';
import type { PropertyMeter } from './PropertyMeter.js';

const orders = stepmark.scope('order');

/** A few decisions of every kind, meta that redaction and value rules act on, then collect(). */
export function scenario(meter: PropertyMeter): void {
  meter.call('track', () => stepmark.track('order_1', { total: 9.5 }, { kind: 'order' }));
  meter.call('recordEntity', () =>
    stepmark.recordEntity('order_1', 'fraud', 'cleared', {
      score: 0.02,
      password: 'hunter2',
      note: 'Bearer abc.def.ghi 4242424242424242',
      long: 'x'.repeat(3_000),
    }),
  );
  meter.call('record', () => stepmark.record('cache', 'miss', { key: 'prices' }));
  meter.call('step', () => stepmark.step('checked'));
  meter.call('enter+exit', () => stepmark.enter({ phase: 1 })({ ok: true }));
  meter.call('scope.recordEvent', () => orders.recordEvent('order_2', 'stock', 'reserved'));
  meter.call('recordEntity × 20', () => {
    for (let i = 0; i < 20; i++) stepmark.recordEntity(`order_${i}`, 'batch', 'seen', { i });
  });
  meter.call('enabled', () => stepmark.enabled());
  const trace = meter.call('collect', () => stepmark.collect());
  const json = meter.call('JSON.stringify(collect())', () => JSON.stringify(trace));
  expect(json === undefined || typeof json === 'string').toBe(true);
}
