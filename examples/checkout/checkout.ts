// The business logic of the demo: a checkout pipeline that records why each order ends as it does.
import { trace } from '@opentelemetry/api';
import * as stepmark from 'stepmark-otel';

export interface Order {
  id: string;
  customer: string;
  items: Array<{ sku: string; qty: number; price: number }>;
  country: string;
  coupon?: string;
  card: string;
}

export type Outcome =
  { status: 'accepted'; total: number } | { status: 'rejected'; reason: string };

const tracer = trace.getTracer('checkout-demo');
const orders = stepmark.scope('order');
const stock: Record<string, number> = { book: 10, lamp: 2, desk: 0 };

/** Runs `fn` in a child span named after the stage, as instrumented code would. */
function stage<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await fn();
    } finally {
      span.end();
    }
  });
}

async function validate(order: Order): Promise<boolean> {
  await Promise.resolve();
  if (order.items.length === 0) {
    orders.step(order.id, 'failed', { reason: 'empty cart' });
    return false;
  }
  orders.step(order.id, 'passed', { items: order.items.length });
  return true;
}

async function fraudCheck(order: Order): Promise<boolean> {
  const score = order.country === 'XX' ? 0.91 : 0.02;
  const rules = score > 0.8 ? ['high-risk-country', 'new-card'] : [];
  if (score > 0.8) {
    orders.recordEvent(order.id, 'fraud_check', 'blocked', { score, rules });
    return false;
  }
  orders.recordEvent(order.id, 'fraud_check', 'cleared', { score });
  return true;
}

async function reserveInventory(order: Order): Promise<void> {
  // Items are reserved concurrently; every branch records into the same request trace.
  await Promise.all(
    order.items.map(async (item) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const left = stock[item.sku] ?? 0;
      stepmark.recordEntity(
        `sku_${item.sku}`,
        'inventory',
        left >= item.qty ? 'reserved' : 'backordered',
        {
          qty: item.qty,
          left,
        },
      );
    }),
  );
  orders.step(order.id, 'reserved');
}

async function price(order: Order): Promise<number> {
  using _ = orders.enter(order.id);
  const subtotal = order.items.reduce((sum, i) => sum + i.qty * i.price, 0);
  const discount = order.coupon === 'WELCOME10' ? 0.1 : 0;
  const total = Math.round(subtotal * (1 - discount) * 100) / 100;
  orders.recordEvent(order.id, 'pricing', discount > 0 ? 'discounted' : 'list_price', {
    subtotal,
    discount,
    total,
    coupon: order.coupon,
  });
  return total;
}

async function pay(order: Order, total: number): Promise<void> {
  await Promise.resolve();
  // The card number never goes in meta: only what explains the decision.
  orders.recordEvent(order.id, 'payment', 'captured', {
    amount: total,
    card_last4: order.card.slice(-4),
  });
}

/** Takes one order through validation, fraud check, inventory, pricing and payment. */
export async function checkout(order: Order): Promise<Outcome> {
  orders.track(order.id, { customer: order.customer, country: order.country });
  if (!(await stage('validate', () => validate(order))))
    return { status: 'rejected', reason: 'invalid' };
  if (!(await stage('fraud_check', () => fraudCheck(order)))) {
    return { status: 'rejected', reason: 'fraud' };
  }
  await stage('inventory', () => reserveInventory(order));
  const total = await stage('pricing', () => price(order));
  await stage('payment', () => pay(order, total));
  return { status: 'accepted', total };
}
