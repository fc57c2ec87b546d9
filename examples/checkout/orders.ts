import type { Order } from './checkout.js';

/** An order of the demo, and whether its request asks for stepmark (the trigger). */
export type DemoOrder = Order & { traced: boolean };

/**
 * The demo's three orders: order_41 (not traced), order_42 (accepted) and order_43 (rejected by
 * the fraud check). The browser tests replay the traced two.
 */
export const DEMO_ORDERS: readonly DemoOrder[] = [
  {
    id: 'order_41',
    customer: 'c_1',
    country: 'FR',
    card: '4242424242424242',
    traced: false,
    items: [{ sku: 'book', qty: 1, price: 12 }],
  },
  {
    id: 'order_42',
    customer: 'c_2',
    country: 'DE',
    card: '4000056655665556',
    traced: true,
    coupon: 'WELCOME10',
    items: [
      { sku: 'book', qty: 2, price: 12 },
      { sku: 'lamp', qty: 1, price: 30 },
    ],
  },
  {
    id: 'order_43',
    customer: 'c_3',
    country: 'XX',
    card: '4000000000000002',
    traced: true,
    items: [{ sku: 'desk', qty: 1, price: 250 }],
  },
];
