import { describe, expect, it } from 'vitest';
import { main } from '../../examples/checkout/main.js';

describe('examples/checkout (npm start)', () => {
  it('prints the JSON of each traced order, one of them rejected, and none for the untraced one', async () => {
    const lines: string[] = [];
    const traces = await main((line) => lines.push(line));
    expect(lines.slice(1, 4)).toEqual([
      'order_41: accepted total 12 [not traced]',
      'order_42: accepted total 48.6',
      'order_43: rejected (fraud)',
    ]);
    expect(traces.map((t) => t.meta?.order_id)).toEqual(['order_42', 'order_43']);
    const [accepted, rejected] = traces;
    expect(accepted?.entities?.order_42?.events.map((e) => `${e.stage}:${e.action}`)).toEqual([
      'validate:passed',
      'fraud_check:cleared',
      'reserveInventory:reserved',
      'price:entered',
      'pricing:discounted',
      'price:exited',
      'payment:captured',
    ]);
    expect(Object.keys(accepted?.entities ?? {}).sort()).toEqual([
      'order_42',
      'sku_book',
      'sku_lamp',
    ]);
    expect(rejected?.entities?.order_43?.events.at(-1)).toMatchObject({
      stage: 'fraud_check',
      action: 'blocked',
      meta: { score: 0.91, rules: ['high-risk-country', 'new-card'] },
    });
    expect(rejected?.spans?.map((s) => s.name)).toEqual([
      'validate',
      'fraud_check',
      'POST /checkout order_43',
    ]);
    const printed = lines
      .filter((l) => l.startsWith('\n# trace'))
      .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as unknown);
    expect(printed).toEqual(traces);
  });
});
