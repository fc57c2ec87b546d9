// `npm start`: orders go through the checkout; the traced ones print why they ended as they did.
import { context, trace } from '@opentelemetry/api';
import * as stepmark from 'stepmark-otel';
import type { Trace } from 'stepmark-otel';
import { checkout, type Order } from './checkout.js';
import { startOtel } from './otel.js';

const ORDERS: Array<Order & { traced: boolean }> = [
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

/** Handles one order as a server would: a request span, with stepmark on only when asked. */
function handle(order: Order & { traced: boolean }) {
  return trace
    .getTracer('checkout-demo')
    .startActiveSpan(`POST /checkout ${order.id}`, async (span) => {
      try {
        // In a service this is the X-Stepmark header or baggage (stepmark-otel/http); here a flag.
        const ctx = order.traced
          ? stepmark.enable({ traceMeta: { order_id: order.id } })
          : context.active();
        return await context.with(ctx, () => checkout(order));
      } finally {
        span.end();
      }
    });
}

export async function main(print: (line: string) => void = console.log): Promise<Trace[]> {
  const traces: Trace[] = [];
  const otel = startOtel((t) => void traces.push(t));
  print(`stepmark-otel checkout demo; spans go to ${otel.exportingTo}`);
  for (const order of ORDERS) {
    const outcome = await handle(order);
    print(
      `${order.id}: ${outcome.status}${'reason' in outcome ? ` (${outcome.reason})` : ` total ${outcome.total}`}${order.traced ? '' : ' [not traced]'}`,
    );
  }
  await otel.shutdown();
  for (const t of traces)
    print(`\n# trace ${t.trace_id} (${String(t.meta?.order_id)})\n${JSON.stringify(t, null, 2)}`);
  return traces;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
