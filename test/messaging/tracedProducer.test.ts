import { context, propagation, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { tracedProducer, withMessageContext } from '../../src/messaging/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

type Headers = Record<string, string | Buffer | (string | Buffer)[] | undefined>;
interface Sent {
  topic: string;
  messages: { value: string; headers?: Headers }[];
}

/** A kafkajs-shaped producer that keeps what it was asked to send. */
function fakeProducer() {
  const sent: Sent[] = [];
  return {
    sent,
    connected: false,
    async connect() {
      this.connected = true;
    },
    send(record: Sent) {
      sent.push(record);
      return Promise.resolve([{ topicName: record.topic, partition: 0, errorCode: 0 }]);
    },
    sendBatch(batch: { topicMessages: Sent[] }) {
      sent.push(...batch.topicMessages);
      return Promise.resolve([]);
    },
  };
}

let h: Harness;
beforeEach(() => {
  h = setupOtel();
});
afterEach(async () => {
  await h.teardown();
});

describe('tracedProducer', () => {
  it('adds the trace context and the stepmark flag to each message, as copies', async () => {
    const fake = fakeProducer();
    const producer = tracedProducer(fake);
    const message = { value: '{"id":"order_42"}', headers: { source: 'web' } };
    const traceId = await h.request(async () => {
      stepmark.record('checkout', 'order_placed');
      await producer.send({ topic: 'orders', messages: [message] });
      await producer.sendBatch({ topicMessages: [{ topic: 'audit', messages: [message] }] });
      return trace.getActiveSpan()!.spanContext().traceId;
    });
    expect(message.headers).toEqual({ source: 'web' }); // the caller's message is untouched
    expect(fake.sent.map((r) => r.topic)).toEqual(['orders', 'audit']);
    for (const record of fake.sent) {
      const headers = record.messages[0]!.headers!;
      expect(headers.source).toBe('web');
      expect(headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(headers.baggage).toContain('stepmark=1');
    }
  });

  it('leaves the rest of the producer as it is', async () => {
    const fake = fakeProducer();
    const producer = tracedProducer(fake);
    await producer.connect();
    expect(fake.connected).toBe(true);
    // Outside any span: nothing to add, the message goes out unchanged.
    await producer.send({ topic: 'orders', messages: [{ value: 'x' }] });
    expect(fake.sent[0]!.messages[0]!.headers).toEqual({});
  });

  it('hands a malformed record to the producer unchanged, and refuses a non-producer', async () => {
    const fake = fakeProducer();
    const producer = tracedProducer(fake);
    const bad = { topic: 'orders', messages: 'nope' } as unknown as Sent;
    await producer.send(bad);
    expect(fake.sent[0]).toBe(bad);
    expect(() => tracedProducer({} as never)).toThrow(TypeError);
  });

  it('a consumer continues what it sent: same trace, recording on', async () => {
    const fake = fakeProducer();
    const producer = tracedProducer(fake);
    const traceId = await h.request(async () => {
      stepmark.record('checkout', 'order_placed');
      await producer.send({ topic: 'orders', messages: [{ value: '{}' }] });
      return trace.getActiveSpan()!.spanContext().traceId;
    });
    const headers = fake.sent[0]!.messages[0]!.headers!;
    const baggage = propagation.getBaggage(propagation.extract(context.active(), headers));
    expect(baggage?.getEntry('stepmark')?.value).toBe('1');
    withMessageContext(headers, () => stepmark.record('shipping', 'label_printed'), {
      topic: 'orders',
    });
    const consumed = (await h.traces()).find((t) =>
      t.events?.some((e) => e.action === 'label_printed'),
    );
    expect(consumed?.trace_id).toBe(traceId);
  });
});
