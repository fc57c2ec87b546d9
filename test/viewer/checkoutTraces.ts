// The checkout demo's two traced requests (examples/checkout), as the processor emits them with
// errorActions ['blocked', 'rejected']: order_42 accepted, order_43 blocked by its fraud check.
import type { Trace } from '../../src/types.js';

export const ORDER_42: Trace = {
  trace_id: '9aab3505ab90c6a2494f82f054c14b6c',
  meta: { order_id: 'order_42' },
  entities: {
    order_42: {
      entity_id: 'order_42',
      kind: 'order',
      meta: { customer: 'c_2', country: 'DE' },
      events: [
        {
          stage: 'validate',
          action: 'passed',
          timestamp: '2026-12-01T05:40:00.509Z',
          meta: { items: 2 },
          span_id: '0d29aa21fb054545',
        },
        {
          stage: 'fraud_check',
          action: 'cleared',
          timestamp: '2026-12-01T05:40:00.511Z',
          meta: { score: 0.02 },
          span_id: 'cf8f8a735157e2cb',
        },
        {
          stage: 'reserveInventory',
          action: 'reserved',
          timestamp: '2026-12-01T05:40:00.512Z',
          span_id: '9f0c8203616a755e',
        },
        {
          stage: 'pricing',
          action: 'discounted',
          timestamp: '2026-12-01T05:40:00.513Z',
          meta: { subtotal: 54, discount: 0.1, total: 48.6, coupon: 'WELCOME10' },
          span_id: 'e5da0c37a32c0e4f',
        },
        {
          stage: 'payment',
          action: 'captured',
          timestamp: '2026-12-01T05:40:00.514Z',
          meta: { amount: 48.6, card_last4: '5556' },
          span_id: 'c7e41b02f138ad2b',
        },
      ],
    },
    sku_book: {
      entity_id: 'sku_book',
      events: [
        {
          stage: 'inventory',
          action: 'reserved',
          timestamp: '2026-12-01T05:40:00.511Z',
          meta: { qty: 2, left: 10 },
          span_id: '9f0c8203616a755e',
        },
      ],
    },
    sku_lamp: {
      entity_id: 'sku_lamp',
      events: [
        {
          stage: 'inventory',
          action: 'reserved',
          timestamp: '2026-12-01T05:40:00.512Z',
          meta: { qty: 1, left: 2 },
          span_id: '9f0c8203616a755e',
        },
      ],
    },
  },
  spans: [
    {
      span_id: '0d29aa21fb054545',
      parent_id: '785082f16055a2fc',
      name: 'validate',
      start_time: '2026-12-01T05:40:00.509Z',
      end_time: '2026-12-01T05:40:00.509Z',
      duration_ms: 0.564,
    },
    {
      span_id: 'cf8f8a735157e2cb',
      parent_id: '785082f16055a2fc',
      name: 'fraud_check',
      start_time: '2026-12-01T05:40:00.511Z',
      end_time: '2026-12-01T05:40:00.511Z',
      duration_ms: 0.244,
    },
    {
      span_id: '9f0c8203616a755e',
      parent_id: '785082f16055a2fc',
      name: 'inventory',
      start_time: '2026-12-01T05:40:00.511Z',
      end_time: '2026-12-01T05:40:00.512Z',
      duration_ms: 1.5,
    },
    {
      span_id: 'e5da0c37a32c0e4f',
      parent_id: '785082f16055a2fc',
      name: 'pricing',
      start_time: '2026-12-01T05:40:00.513Z',
      end_time: '2026-12-01T05:40:00.513Z',
      duration_ms: 0.3,
    },
    {
      span_id: 'c7e41b02f138ad2b',
      parent_id: '785082f16055a2fc',
      name: 'payment',
      start_time: '2026-12-01T05:40:00.514Z',
      end_time: '2026-12-01T05:40:00.514Z',
      duration_ms: 0.2,
    },
    {
      span_id: '785082f16055a2fc',
      name: 'POST /checkout order_42',
      start_time: '2026-12-01T05:40:00.508Z',
      end_time: '2026-12-01T05:40:00.514Z',
      duration_ms: 6.1,
    },
  ],
};

export const ORDER_43: Trace = {
  trace_id: '35c81223f89ffdc15b565b2cb88de236',
  meta: { order_id: 'order_43' },
  entities: {
    order_43: {
      entity_id: 'order_43',
      kind: 'order',
      meta: { customer: 'c_3', country: 'XX' },
      events: [
        {
          stage: 'validate',
          action: 'passed',
          timestamp: '2026-12-01T05:40:02.119Z',
          meta: { items: 1 },
          span_id: '3cdbc5bebf5a2e76',
        },
        {
          stage: 'fraud_check',
          action: 'blocked',
          timestamp: '2026-12-01T05:40:02.120Z',
          meta: { score: 0.91, rules: ['high-risk-country', 'new-card'] },
          span_id: 'cae3209291a653c8',
        },
      ],
    },
  },
  spans: [
    {
      span_id: '3cdbc5bebf5a2e76',
      parent_id: '09bcd3f72d8be83c',
      name: 'validate',
      start_time: '2026-12-01T05:40:02.119Z',
      end_time: '2026-12-01T05:40:02.119Z',
      duration_ms: 0.258,
    },
    {
      span_id: 'cae3209291a653c8',
      parent_id: '09bcd3f72d8be83c',
      name: 'fraud_check',
      start_time: '2026-12-01T05:40:02.120Z',
      end_time: '2026-12-01T05:40:02.120Z',
      duration_ms: 0.667,
      status: 'error',
      tags: { 'otel.status_description': 'fraud_check: blocked' },
    },
    {
      span_id: '09bcd3f72d8be83c',
      name: 'POST /checkout order_43',
      start_time: '2026-12-01T05:40:02.119Z',
      end_time: '2026-12-01T05:40:02.120Z',
      duration_ms: 1.876,
    },
  ],
};
