// KafkaSink against a real broker (KRaft, scripts/kafka.sh): what it wrote is read back with a
// consumer; the broker stopped mid-run costs the requests nothing, the sink counts what it could
// not send, and sending resumes once the broker is back.
import { createRequire } from 'node:module';
import type * as KafkaJs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaSink } from '../../src/export/index.js';
import * as stepmark from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import { setupOtel } from '../support/otelHarness.js';
import { findKafka, KafkaBroker } from '../support/kafka.js';

const found = findKafka();
if ('reason' in found) {
  if (process.env.STEPMARK_REQUIRE_KAFKA === '1')
    throw new Error(`STEPMARK_REQUIRE_KAFKA=1 but ${found.reason}`);
  console.log(`skipping the KafkaSink broker tests: ${found.reason}`);
}
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const { Kafka, logLevel } = createRequire(import.meta.url)('kafkajs') as typeof KafkaJs;

interface Received {
  key: string;
  trace: Trace;
  headers: Record<string, string>;
}

describe.skipIf('reason' in found)('KafkaSink, against a real broker', () => {
  let broker: KafkaBroker;

  beforeAll(async () => {
    broker = await KafkaBroker.create();
    await broker.start();
  }, 180_000);

  afterAll(async () => {
    await broker?.destroy();
  }, 60_000);

  /** Reads `topic` from the beginning until `count` messages arrived. */
  async function consume(topic: string, count: number): Promise<Received[]> {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: Received[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {}))
            headers[name] = String(value);
          received.push({
            key: String(message.key),
            trace: JSON.parse(String(message.value)) as Trace,
            headers,
          });
          if (received.length >= count) resolve();
        },
      });
    });
    await consumer.disconnect();
    return received;
  }

  /** Runs `n` traced requests, each deciding on one order; their trace ids. */
  async function requests(h: ReturnType<typeof setupOtel>, prefix: string, n: number) {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      await h.request(() => {
        stepmark.recordEntity(`${prefix}_${i}`, 'fraud_check', 'cleared', { score: 0.02 });
      });
      ids.push((await h.traces()).at(-1)!.trace_id);
    }
    return ids;
  }

  it('publishes one message per trace: key = trace id, value = the JSON, traceparent header', async () => {
    const topic = 'stepmark-traces';
    const sink = new KafkaSink({ brokers: [broker.bootstrap], topic });
    const h = setupOtel({ processor: { sinks: [sink] } });
    try {
      const ids = await requests(h, 'order', 3);
      await sink.forceFlush();
      expect(sink.stats()).toMatchObject({ sent: 3, dropped: 0 });
      const received = await consume(topic, 3);
      expect(received.map((r) => r.key)).toEqual(ids);
      for (const [i, r] of received.entries()) {
        expect(r.trace.trace_id).toBe(ids[i]);
        expect(r.trace.entities?.[`order_${i}`]?.events.map((e) => e.action)).toEqual(['cleared']);
        expect(r.headers['content-type']).toBe('application/json');
        expect(r.headers.traceparent).toBe(`00-${ids[i]}-${r.trace.spans![0]!.span_id}-01`);
      }
    } finally {
      await h.teardown(); // shuts the sink down: it disconnects the producer it made
    }
  }, 120_000);

  it('the broker stopped mid-run: requests go on, drops are counted, sending resumes after', async () => {
    const topic = 'stepmark-faults';
    // A producer of the user's, with short retries so that a send to a stopped broker fails soon.
    const kafka = new Kafka({
      clientId: 'faults',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    const producer = kafka.producer();
    await producer.connect();
    const sink = new KafkaSink({ producer, topic });
    const h = setupOtel({ processor: { sinks: [sink] } });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const before = await requests(h, 'before', 2);
      await sink.forceFlush();
      expect(sink.stats()).toMatchObject({ sent: 2, dropped: 0 });

      await broker.stop();
      const during = await requests(h, 'during', 3); // each request completes as usual
      expect(during).toHaveLength(3);
      await sink.forceFlush();
      expect(sink.stats()).toMatchObject({ sent: 2, failed: 3, dropped: 3 });

      await broker.start();
      // kafkajs reconnects on a later send: traces sent after the broker is back arrive.
      let after: string[] = [];
      let rounds = 0;
      while (rounds < 30 && sink.stats().sent < 3) {
        after = await requests(h, `after${rounds++}`, 1);
        await sink.forceFlush();
      }
      const stats = sink.stats();
      expect(stats.sent).toBeGreaterThanOrEqual(3);
      // Every trace was sent or counted; the only drops are failed sends.
      expect(stats.sent + stats.dropped).toBe(2 + 3 + rounds);
      expect(stats.dropped).toBe(stats.failed);
      const keys = (await consume(topic, stats.sent)).map((r) => r.key);
      expect(keys.slice(0, 2)).toEqual(before);
      expect(keys).toContain(after[0]);
      for (const id of during) expect(keys).not.toContain(id);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await h.teardown();
      await producer.disconnect();
    }
  }, 180_000);
});
