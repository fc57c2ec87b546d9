// stepmark-otel/messaging (issue 14): the consumer path of a message that does not ask for
// recording (no `stepmark=1` in its baggage), against the same handler without the helper.
// Under @opentelemetry/instrumentation-kafkajs (its CONSUMER span active, as in eachMessage) the
// helper should cost one header lookup: target 1.02x. Without an instrumentation the helper
// starts the CONSUMER span itself; that is compared with the same span started by hand
// (propagation.extract + startActiveSpan + end), and reported.
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  type Context,
} from '@opentelemetry/api';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import * as stepmark from 'stepmark-otel';
import { MessageGate, messageHeaderGetter, withMessageContext } from 'stepmark-otel/messaging';
import { finish, nextTurn, ns, pairedNsPerOp, report } from './measure.js';
import { provider, useGlobally } from './otelSetup.js';

propagation.setGlobalPropagator(
  new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  }),
);
const processor = new stepmark.StepmarkSpanProcessor();
const { provider: p, tracer, exporter } = provider([processor]);
useGlobally(p);

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
/** A kafkajs message as `eachMessage` gets it: Buffers for the value and every header. */
const message = {
  key: Buffer.from('order_42'),
  offset: '1042',
  value: Buffer.from(
    JSON.stringify({
      id: 'order_42',
      customer: 'c_1907',
      items: [
        { sku: 'lamp', qty: 1, price: 49.5 },
        { sku: 'bulb', qty: 4, price: 3.2 },
      ],
      currency: 'EUR',
      placed_at: '2026-12-01T10:00:00.000Z',
    }),
  ),
  headers: {
    traceparent: Buffer.from(`00-${TRACE_ID}-00f067aa0ba902b7-01`),
    baggage: Buffer.from('tenant=acme,region=eu-west-1'),
    'content-type': Buffer.from('application/json'),
    source: Buffer.from('checkout'),
  },
};
const flagged = {
  ...message,
  headers: { ...message.headers, baggage: Buffer.from('tenant=acme,stepmark=1') },
};

/** The handler: parse the order and total it (what a consumer does with most messages). */
let sink = 0;
function handle(m: typeof message): void {
  const order = JSON.parse(m.value.toString()) as { items: { qty: number; price: number }[] };
  for (const item of order.items) sink += item.qty * item.price;
}

const N = 1_000_000;
const topic = 'orders';

// Under an instrumentation: its CONSUMER span of the message's trace is active around the loop.
const parent = propagation.extract(ROOT_CONTEXT, message.headers, messageHeaderGetter);
const instrumentationSpan = tracer.startSpan(
  `process ${topic}`,
  { kind: SpanKind.CONSUMER },
  parent,
);
const underInstrumentation: Context = trace.setSpan(parent, instrumentationSpan);
const [bareNs, helperNs] = context.with(underInstrumentation, () =>
  pairedNsPerOp(
    (n) => {
      for (let i = 0; i < n; i++) handle(message);
    },
    (n) => {
      for (let i = 0; i < n; i++)
        withMessageContext(message.headers, () => handle(message), { topic });
    },
    N,
  ),
);
instrumentationSpan.end();
report(
  'consumer path under instrumentation-kafkajs, message without stepmark=1',
  helperNs / bareNs,
  'the same handler without the helper',
  { max: 1.02 },
  `${ns(helperNs)} vs ${ns(bareNs)} per message`,
);

// Without an instrumentation: the helper's own CONSUMER span against the same span by hand.
const SPANS = 20_000;
async function perMessage(loop: (n: number) => void, rounds = 9): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    const start = process.hrtime.bigint();
    loop(SPANS);
    const elapsed = Number(process.hrtime.bigint() - start);
    await processor.forceFlush();
    await nextTurn();
    exporter.reset();
    if (r > 0) samples.push(elapsed / SPANS);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1] ?? Number.NaN;
}
const byHand = (n: number) => {
  for (let i = 0; i < n; i++) {
    const ctx = propagation.extract(ROOT_CONTEXT, message.headers, messageHeaderGetter);
    const link = trace.getSpanContext(ctx);
    tracer.startActiveSpan(
      `process ${topic}`,
      { kind: SpanKind.CONSUMER, links: link === undefined ? [] : [{ context: link }] },
      ctx,
      (span) => {
        handle(message);
        span.end();
      },
    );
  }
};
const helper = (n: number) => {
  for (let i = 0; i < n; i++) withMessageContext(message.headers, () => handle(message), { topic });
};
const unlimited = new MessageGate({ rateLimit: false, flagKey: false });
const recorded = (n: number) => {
  for (let i = 0; i < n; i++)
    withMessageContext(
      flagged.headers,
      () => {
        handle(flagged);
        stepmark.recordEntity('order_42', 'fulfilment', 'picked');
      },
      { topic, gate: unlimited },
    );
};
let handNs = Number.POSITIVE_INFINITY;
let ownNs = Number.POSITIVE_INFINITY;
for (let round = 0; round < 3; round++) {
  handNs = Math.min(handNs, await perMessage(byHand));
  ownNs = Math.min(ownNs, await perMessage(helper));
}
report(
  'consumer path without an instrumentation (the helper starts the CONSUMER span)',
  ownNs / handNs,
  'the same span started by hand',
  undefined,
  `${ns(ownNs)} vs ${ns(handNs)} per message; the handler alone ${ns(bareNs)}`,
);
const recordedNs = await perMessage(recorded);
report(
  'a message with stepmark=1 (recorded: span, session, one decision, the trace built)',
  recordedNs / handNs,
  'the unrecorded span started by hand',
  undefined,
  `${ns(recordedNs)} per message (a gate without rate limit)`,
);
if (sink === 0) console.log('(unreachable: keeps the handler from being optimised away)');
await p.shutdown();
finish();
