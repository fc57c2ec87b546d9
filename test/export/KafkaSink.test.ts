// KafkaSink: one Kafka message per finished trace (key = trace id), sent off the caller's stack
// by one writer, every drop counted by reason. A fake producer whose sends the tests settle by
// hand: nothing here waits on time (the shutdown bound runs on fake timers).
import { diag } from '@opentelemetry/api';
import type { Producer } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushWarnings, resetWarnings } from '../../src/core/diagnostics.js';
import type * as LoadKafka from '../../src/export/kafka/loadKafka.js';
import { loadKafka, type KafkaModuleLike } from '../../src/export/kafka/loadKafka.js';
import {
  KafkaSink,
  type KafkaProducerLike,
  type KafkaRecord,
  type KafkaSinkOptions,
} from '../../src/export/index.js';
import type { Trace } from '../../src/index.js';
import { captureDiag, type DiagCapture } from '../support/diagCapture.js';

// The brokers mode imports kafkajs through this loader: the tests hand it a fake module.
vi.mock('../../src/export/kafka/loadKafka.js', async (importOriginal) => {
  const actual = await importOriginal<typeof LoadKafka>();
  return { ...actual, loadKafka: vi.fn(actual.loadKafka) };
});

// A kafkajs producer is a KafkaProducerLike (checked by tsc, nothing runs).
const kafkajsProducerFits: Producer extends KafkaProducerLike ? true : false = true;

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const ROOT = '00f067aa0ba902b7';
const CHILD = '53995c3f42cd8ad8';

const trace = (i: number, extra: Partial<Trace> = {}): Trace => ({
  trace_id: i.toString(16).padStart(32, '0'),
  events: [{ stage: 'step', action: `n${i}`, timestamp: '2026-12-01T00:00:00.000Z' }],
  ...extra,
});

const span = (span_id: string, parent_id?: string) => ({
  span_id,
  ...(parent_id === undefined ? {} : { parent_id }),
  name: span_id,
  start_time: '2026-12-01T00:00:00.000Z',
  end_time: '2026-12-01T00:00:00.010Z',
  duration_ms: 10,
});

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One call of `send`, settled by the test. */
interface SendCall {
  record: KafkaRecord;
  resolve(): void;
  reject(error: unknown): void;
}

/** A producer whose every `send` waits for the test to resolve or reject it. */
class FakeProducer {
  readonly calls: SendCall[] = [];
  readonly connect = vi.fn(async () => {});
  readonly disconnect = vi.fn(async () => {});
  #taken = 0;
  readonly #waiting = new Map<number, (call: SendCall) => void>();

  send(record: KafkaRecord): Promise<unknown> {
    const result = deferred<unknown>();
    const call = { record, resolve: () => result.resolve([]), reject: result.reject };
    const index = this.calls.push(call) - 1;
    this.#waiting.get(index)?.(call);
    this.#waiting.delete(index);
    return result.promise;
  }

  /** The next `send` call (waits for it when the sink has not made it yet). */
  nextSend(): Promise<SendCall> {
    const index = this.#taken++;
    const call = this.calls[index];
    if (call !== undefined) return Promise.resolve(call);
    return new Promise((resolve) => this.#waiting.set(index, resolve));
  }
}

/** The trace ids of a send, in order. */
const keys = (call: SendCall): string[] => call.record.messages.map((m) => m.key);

function sinkWith(producer: FakeProducer, options: Partial<KafkaSinkOptions> = {}): KafkaSink {
  return new KafkaSink({ producer, topic: 'stepmark-traces', ...options });
}

let captured: DiagCapture;
beforeEach(() => {
  resetWarnings();
  captured = captureDiag();
  vi.mocked(loadKafka).mockReset(); // back to the real loader; a test sets its own
});
afterEach(() => {
  vi.useRealTimers();
  diag.disable();
  resetWarnings();
});

describe('KafkaSink messages', () => {
  it('sends one message per trace: key = trace id, value = its JSON, traceparent of the root span', async () => {
    expect(kafkajsProducerFits).toBe(true);
    const producer = new FakeProducer();
    const sink = sinkWith(producer);
    // The root is not the first span: the first span without a parent is.
    const t: Trace = { trace_id: TRACE_ID, spans: [span(CHILD, ROOT), span(ROOT)] };
    sink.export(t);
    const call = await producer.nextSend();
    expect(call.record).toEqual({
      topic: 'stepmark-traces',
      messages: [
        {
          key: TRACE_ID,
          value: JSON.stringify(t),
          headers: {
            'content-type': 'application/json',
            traceparent: `00-${TRACE_ID}-${ROOT}-01`,
          },
        },
      ],
    });
    call.resolve();
    await sink.forceFlush();
    expect(sink.stats()).toMatchObject({ sent: 1, dropped: 0, queued: 0, sending: 0 });
  });

  it('takes a local root under a remote parent as the root, and leaves traceparent out for invalid ids', async () => {
    const producer = new FakeProducer();
    const sink = sinkWith(producer, { maxBatch: 10 });
    const remote = 'aaaaaaaaaaaaaaaa';
    sink.export({ trace_id: TRACE_ID, spans: [span(CHILD, ROOT), span(ROOT, remote)] });
    sink.export({ trace_id: 'not-a-w3c-id', spans: [span(ROOT)] });
    sink.export({ trace_id: TRACE_ID, spans: [span('0000000000000000')] });
    sink.export({ trace_id: TRACE_ID });
    const call = await producer.nextSend();
    expect(call.record.messages.map((m) => m.headers)).toEqual([
      { 'content-type': 'application/json', traceparent: `00-${TRACE_ID}-${ROOT}-01` },
      { 'content-type': 'application/json' },
      { 'content-type': 'application/json' },
      { 'content-type': 'application/json' },
    ]);
    expect(keys(call)[1]).toBe('not-a-w3c-id');
    call.resolve();
    await sink.forceFlush();
    expect(sink.stats().sent).toBe(4);
  });

  it('drops and counts a trace that cannot be serialized, without throwing', async () => {
    const producer = new FakeProducer();
    const sink = sinkWith(producer);
    const cyclic = trace(1) as Trace & { self?: unknown };
    cyclic.self = cyclic;
    expect(() => sink.export(cyclic)).not.toThrow();
    expect(() => sink.export({ trace_id: 5 } as unknown as Trace)).not.toThrow();
    expect(sink.stats()).toMatchObject({ invalid: 2, dropped: 2, queued: 0 });
    expect(producer.calls).toHaveLength(0);
    await sink.forceFlush();
  });
});

describe('KafkaSink writer', () => {
  it('export returns at once, never calls send on its stack, and never waits for a pending send', async () => {
    const producer = new FakeProducer();
    const sink = sinkWith(producer, { maxBatch: 1 });
    expect(sink.export(trace(1))).toBeUndefined();
    expect(producer.calls).toHaveLength(0); // the writer runs after the caller's stack
    const first = await producer.nextSend();
    // The send is pending: more exports return at once and queue; one send at a time.
    for (let i = 2; i <= 4; i++) expect(sink.export(trace(i))).toBeUndefined();
    expect(sink.stats()).toMatchObject({ queued: 3, sending: 1, sent: 0 });
    expect(producer.calls).toHaveLength(1);
    first.resolve();
    const second = await producer.nextSend();
    expect(keys(second)).toEqual([trace(2).trace_id]);
    second.resolve();
    for (let i = 0; i < 2; i++) (await producer.nextSend()).resolve();
    await sink.forceFlush();
    expect(sink.stats()).toMatchObject({ sent: 4, queued: 0, sending: 0, dropped: 0 });
  });

  it('sends at most maxBatch messages per send, in export order', async () => {
    const producer = new FakeProducer();
    const sink = sinkWith(producer, { maxBatch: 2 });
    for (let i = 1; i <= 5; i++) sink.export(trace(i));
    const batches: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const call = await producer.nextSend();
      batches.push(keys(call));
      call.resolve();
    }
    await sink.forceFlush();
    const id = (i: number) => trace(i).trace_id;
    expect(batches).toEqual([[id(1), id(2)], [id(3), id(4)], [id(5)]]);
    expect(sink.stats().sent).toBe(5);
  });

  it('puts at most maxMessageBytes bytes in one send (one message always goes)', async () => {
    const producer = new FakeProducer();
    const one = Buffer.byteLength(JSON.stringify(trace(1))) + 32 + 28; // key, value, headers
    const sink = sinkWith(producer, { maxMessageBytes: one + 10 });
    for (let i = 1; i <= 3; i++) sink.export(trace(i));
    for (let i = 0; i < 3; i++) {
      const call = await producer.nextSend();
      expect(call.record.messages).toHaveLength(1);
      call.resolve();
    }
    await sink.forceFlush();
    expect(sink.stats()).toMatchObject({ sent: 3, dropped: 0 });
  });

  it('drops and counts traces past maxQueue', async () => {
    const producer = new FakeProducer();
    const sink = sinkWith(producer, { maxBatch: 1, maxQueue: 2 });
    sink.export(trace(1));
    const first = await producer.nextSend();
    sink.export(trace(2));
    sink.export(trace(3));
    sink.export(trace(4)); // 2 and 3 wait: no room
    expect(sink.stats()).toMatchObject({ queued: 2, sending: 1, queueFull: 1, dropped: 1 });
    expect(sink.dropped).toBe(1);
    first.resolve();
    for (let i = 0; i < 2; i++) (await producer.nextSend()).resolve();
    await sink.forceFlush();
    expect(producer.calls.flatMap(keys)).toEqual([1, 2, 3].map((i) => trace(i).trace_id));
    expect(sink.stats()).toMatchObject({ sent: 3, queueFull: 1, dropped: 1 });
  });

  it('drops and counts traces past maxQueueBytes, and takes more once the queue drained', async () => {
    const producer = new FakeProducer();
    const one = Buffer.byteLength(JSON.stringify(trace(1))) + 200; // more than one message
    const sink = sinkWith(producer, { maxBatch: 1, maxQueueBytes: one });
    sink.export(trace(1));
    const first = await producer.nextSend(); // 1 is sending: the queue is empty again
    sink.export(trace(2)); // waits
    sink.export(trace(3)); // would take the waiting bytes past maxQueueBytes
    expect(sink.stats()).toMatchObject({ queued: 1, sending: 1, queueFull: 1 });
    first.resolve();
    (await producer.nextSend()).resolve();
    await sink.forceFlush();
    sink.export(trace(4)); // room again
    (await producer.nextSend()).resolve();
    await sink.forceFlush();
    expect(producer.calls.flatMap(keys)).toEqual([1, 2, 4].map((i) => trace(i).trace_id));
    expect(sink.stats()).toMatchObject({ sent: 3, queueFull: 1, dropped: 1 });
  });

  it('drops and counts a trace larger than maxMessageBytes, never sending it', async () => {
    const producer = new FakeProducer();
    const sink = sinkWith(producer, { maxMessageBytes: 1_000 });
    sink.export(trace(1, { meta: { note: 'x'.repeat(2_000) } }));
    sink.export(trace(2));
    const call = await producer.nextSend();
    expect(keys(call)).toEqual([trace(2).trace_id]);
    call.resolve();
    await sink.forceFlush();
    expect(producer.calls).toHaveLength(1);
    expect(sink.stats()).toMatchObject({ sent: 1, tooLarge: 1, dropped: 1 });
  });

  it('counts a failed send as dropped, reports it once per run of failures, and sends the next batch', async () => {
    const producer = new FakeProducer();
    const sink = sinkWith(producer, { maxBatch: 1 });
    for (let i = 1; i <= 3; i++) expect(() => sink.export(trace(i))).not.toThrow();
    (await producer.nextSend()).reject(new Error('broker down'));
    (await producer.nextSend()).reject(new Error('broker down'));
    const recovered = await producer.nextSend(); // the broker is back
    expect(keys(recovered)).toEqual([trace(3).trace_id]);
    recovered.resolve();
    await sink.forceFlush();
    expect(sink.stats()).toMatchObject({ sent: 1, failed: 2, dropped: 2 });
    const reports = () => captured.messages.filter((m) => m.includes('could not send'));
    expect(reports()).toHaveLength(1);
    expect(reports()[0]).toContain('"stepmark-traces"');
    expect(
      (captured.lines.find((l) => String(l[0]).includes('could not send'))?.[1] as Error).message,
    ).toBe('broker down');

    // A second run of two failures is one more report (summed up by the diagnostics), not two.
    sink.export(trace(4));
    sink.export(trace(5));
    (await producer.nextSend()).reject(new Error('down again'));
    (await producer.nextSend()).reject(new Error('down again'));
    await sink.forceFlush();
    flushWarnings();
    expect(reports()).toHaveLength(2);
    expect(reports()[1]).toContain('(1 more times since');
    expect(sink.stats()).toMatchObject({ sent: 1, failed: 4, dropped: 4 });
  });

  it('never lets a producer that throws synchronously reach the caller', async () => {
    const producer: KafkaProducerLike = {
      send: () => {
        throw new Error('sync boom');
      },
    };
    const sink = new KafkaSink({ producer, topic: 'stepmark-traces' });
    expect(() => sink.export(trace(1))).not.toThrow();
    await sink.forceFlush();
    expect(sink.stats()).toMatchObject({ failed: 1, dropped: 1, sent: 0 });
  });
});

describe('KafkaSink forceFlush and shutdown', () => {
  it('forceFlush waits for what was exported before it, not for what came after', async () => {
    const producer = new FakeProducer();
    const sink = sinkWith(producer, { maxBatch: 1 });
    sink.export(trace(1));
    let flushed = false;
    const flush = sink.forceFlush().then(() => (flushed = true));
    sink.export(trace(2));
    const first = await producer.nextSend();
    await Promise.resolve();
    expect(flushed).toBe(false);
    first.resolve();
    await flush; // trace 2 is still waiting for its send
    expect(sink.stats()).toMatchObject({ sent: 1, sending: 1 });
    (await producer.nextSend()).resolve();
    await sink.forceFlush();
    expect(sink.stats().sent).toBe(2);
  });

  it('forceFlush resolves at once when nothing waits', async () => {
    const sink = sinkWith(new FakeProducer());
    await sink.forceFlush();
    expect(sink.stats()).toMatchObject({ sent: 0, dropped: 0 });
  });

  it('shutdown sends what is queued, then counts later exports as closed; a given producer is never connected or disconnected', async () => {
    const producer = new FakeProducer();
    const sink = sinkWith(producer, { maxBatch: 1 });
    sink.export(trace(1));
    sink.export(trace(2));
    let done = false;
    const shutdown = sink.shutdown().then(() => (done = true));
    sink.export(trace(3)); // after shutdown began
    (await producer.nextSend()).resolve();
    expect(done).toBe(false);
    (await producer.nextSend()).resolve();
    await shutdown;
    expect(sink.shutdown()).toBe(sink.shutdown()); // one shutdown
    sink.export(trace(4));
    expect(sink.stats()).toMatchObject({ sent: 2, closed: 2, dropped: 2, queued: 0 });
    expect(producer.connect).not.toHaveBeenCalled();
    expect(producer.disconnect).not.toHaveBeenCalled();
  });

  it('shutdown gives up after shutdownTimeoutMs, dropping and counting what still waits', async () => {
    vi.useFakeTimers();
    const producer = new FakeProducer();
    const sink = sinkWith(producer, { maxBatch: 1, shutdownTimeoutMs: 1_000 });
    for (let i = 1; i <= 3; i++) sink.export(trace(i));
    const stuck = await producer.nextSend(); // never answers in time
    let done = false;
    const shutdown = sink.shutdown().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await shutdown;
    expect(sink.stats()).toMatchObject({ sent: 0, timedOut: 2, dropped: 2, queued: 0, sending: 1 });
    expect(producer.disconnect).not.toHaveBeenCalled();
    stuck.resolve(); // the send under way ends later: counted then, nothing else is sent
    await sink.forceFlush();
    expect(sink.stats()).toMatchObject({ sent: 1, timedOut: 2, sending: 0 });
    expect(producer.calls).toHaveLength(1);
  });
});

/** A kafkajs module whose Kafka makes `producer`, keeping what it was given. */
function fakeKafka(producer: FakeProducer) {
  const made: { config: unknown; producerConfig: unknown }[] = [];
  const partitioner = () => () => 0;
  const module: KafkaModuleLike = {
    Kafka: class {
      readonly config: unknown;
      constructor(config: unknown) {
        this.config = config;
      }
      producer(producerConfig?: unknown) {
        made.push({ config: this.config, producerConfig });
        return producer;
      }
    },
    logLevel: { ERROR: 1 },
    Partitioners: { DefaultPartitioner: partitioner },
  };
  return { module, made, partitioner };
}

describe('KafkaSink with brokers', () => {
  it('makes nothing until the first trace: shutdown without exports imports nothing', async () => {
    const sink = new KafkaSink({ brokers: ['localhost:9092'], topic: 'stepmark-traces' });
    await sink.shutdown();
    expect(loadKafka).not.toHaveBeenCalled();
    expect(sink.stats()).toMatchObject({ sent: 0, dropped: 0 });
  });

  it('makes, connects and (on shutdown) disconnects its own producer', async () => {
    const producer = new FakeProducer();
    const kafka = fakeKafka(producer);
    vi.mocked(loadKafka).mockResolvedValue(kafka.module);
    const sink = new KafkaSink({
      brokers: ['localhost:9092', 'localhost:9093'],
      topic: 'stepmark-traces',
      maxBatch: 1,
    });
    sink.export(trace(1));
    sink.export(trace(2));
    (await producer.nextSend()).resolve();
    (await producer.nextSend()).resolve();
    await sink.forceFlush();
    expect(loadKafka).toHaveBeenCalledTimes(1);
    expect(kafka.made).toEqual([
      {
        config: {
          clientId: 'stepmark-otel',
          brokers: ['localhost:9092', 'localhost:9093'],
          logLevel: 1,
        },
        producerConfig: { createPartitioner: kafka.partitioner },
      },
    ]);
    expect(producer.connect).toHaveBeenCalledTimes(1);
    expect(producer.disconnect).not.toHaveBeenCalled();
    await sink.shutdown();
    expect(producer.disconnect).toHaveBeenCalledTimes(1);
    expect(sink.stats()).toMatchObject({ sent: 2, dropped: 0 });
  });

  it('tries to connect again on the next batch after a failed connect', async () => {
    const producer = new FakeProducer();
    producer.connect.mockRejectedValueOnce(new Error('ECONNREFUSED'));
    vi.mocked(loadKafka).mockResolvedValue(fakeKafka(producer).module);
    const sink = new KafkaSink({
      brokers: ['localhost:9092'],
      topic: 'stepmark-traces',
      clientId: 'checkout',
      maxBatch: 1,
    });
    sink.export(trace(1));
    sink.export(trace(2));
    (await producer.nextSend()).resolve(); // trace 2: trace 1 failed with the connect
    await sink.forceFlush();
    expect(producer.connect).toHaveBeenCalledTimes(2);
    expect(sink.stats()).toMatchObject({ sent: 1, failed: 1, dropped: 1 });
    expect(captured.messages.filter((m) => m.includes('could not send'))).toHaveLength(1);
    await sink.shutdown();
  });

  it('after a shutdown that timed out, makes no producer (the import ended too late) and counts the trace', async () => {
    vi.useFakeTimers();
    const producer = new FakeProducer();
    const kafka = fakeKafka(producer);
    const imported = deferred<KafkaModuleLike>();
    vi.mocked(loadKafka).mockReturnValue(imported.promise);
    const sink = new KafkaSink({
      brokers: ['localhost:9092'],
      topic: 'stepmark-traces',
      shutdownTimeoutMs: 100,
    });
    sink.export(trace(1));
    sink.export(trace(2));
    await vi.advanceTimersByTimeAsync(0); // the writer took both and waits for the import
    const shutdown = sink.shutdown();
    await vi.advanceTimersByTimeAsync(100);
    await shutdown;
    imported.resolve(kafka.module);
    await sink.forceFlush();
    expect(kafka.made).toEqual([]);
    expect(sink.stats()).toMatchObject({ sent: 0, timedOut: 2, dropped: 2, sending: 0 });
  });

  it('disconnects at shutdown a producer whose connect was still under way, and again once it connected', async () => {
    vi.useFakeTimers();
    const producer = new FakeProducer();
    const connected = deferred<void>();
    producer.connect.mockReturnValueOnce(connected.promise);
    vi.mocked(loadKafka).mockResolvedValue(fakeKafka(producer).module);
    const sink = new KafkaSink({
      brokers: ['localhost:9092'],
      topic: 'stepmark-traces',
      shutdownTimeoutMs: 100,
    });
    sink.export(trace(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(producer.connect).toHaveBeenCalledTimes(1);
    const shutdown = sink.shutdown();
    await vi.advanceTimersByTimeAsync(100);
    await shutdown;
    expect(producer.disconnect).toHaveBeenCalledTimes(1);
    connected.resolve();
    await sink.forceFlush();
    expect(producer.disconnect).toHaveBeenCalledTimes(2);
    expect(producer.calls).toHaveLength(0);
    expect(sink.stats()).toMatchObject({ sent: 0, timedOut: 1, dropped: 1, sending: 0 });
  });

  it('without kafkajs drops and counts every trace, reported once, never thrown', async () => {
    vi.mocked(loadKafka).mockRejectedValue(new Error("Cannot find package 'kafkajs'"));
    const sink = new KafkaSink({ brokers: ['localhost:9092'], topic: 'stepmark-traces' });
    sink.export(trace(1));
    sink.export(trace(2));
    await sink.forceFlush();
    expect(() => sink.export(trace(3))).not.toThrow();
    await sink.forceFlush();
    await sink.shutdown();
    expect(loadKafka).toHaveBeenCalledTimes(1);
    expect(sink.stats()).toMatchObject({ sent: 0, unavailable: 3, dropped: 3, queued: 0 });
    const reports = captured.messages.filter((m) => m.includes('kafkajs'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('npm install kafkajs');
  });

  it('the real loader imports kafkajs, and rejects for a package that is not there', async () => {
    const actual = await vi.importActual<typeof LoadKafka>('../../src/export/kafka/loadKafka.js');
    const kafkajs = await actual.loadKafka();
    expect(typeof kafkajs.Kafka).toBe('function');
    expect(typeof kafkajs.logLevel?.ERROR).toBe('number');
    await expect(actual.loadKafka('stepmark-no-such-package')).rejects.toThrow();
  });
});

describe('KafkaSink options', () => {
  const producer = new FakeProducer();
  const make = (options: unknown) => () => new KafkaSink(options as KafkaSinkOptions);

  it('needs a topic that Kafka takes', () => {
    expect(make(undefined)).toThrow(TypeError);
    expect(make({ producer })).toThrow(/KafkaSink topic must be a Kafka topic name, got undefined/);
    expect(make({ producer, topic: '' })).toThrow(TypeError);
    expect(make({ producer, topic: 'two words' })).toThrow(TypeError);
    expect(make({ producer, topic: '..' })).toThrow(TypeError);
    expect(make({ producer, topic: 'a'.repeat(250) })).toThrow(TypeError);
    expect(make({ producer, topic: 'stepmark.traces_v1-eu' })).not.toThrow();
  });

  it('needs exactly one of producer and brokers', () => {
    expect(make({ topic: 't' })).toThrow(/KafkaSink must be given a producer or brokers/);
    expect(make({ topic: 't', producer, brokers: ['localhost:9092'] })).toThrow(
      /KafkaSink brokers must be left out when a producer is given/,
    );
    expect(make({ topic: 't', producer: {} })).toThrow(
      /KafkaSink producer must be a kafkajs producer/,
    );
    expect(make({ topic: 't', producer: null })).toThrow(TypeError);
    expect(make({ topic: 't', brokers: [] })).toThrow(TypeError);
    expect(make({ topic: 't', brokers: 'localhost:9092' })).toThrow(/use \["localhost:9092"\]/);
    expect(make({ topic: 't', brokers: ['localhost:9092', ''] })).toThrow(/brokers\[1\]/);
    expect(make({ topic: 't', producer, clientId: 'x' })).toThrow(/clientId must be left out/);
    expect(make({ topic: 't', brokers: ['localhost:9092'], clientId: '' })).toThrow(TypeError);
  });

  it('checks the numbers and keep', () => {
    expect(make({ topic: 't', producer, maxQueue: 0 })).toThrow(RangeError);
    expect(make({ topic: 't', producer, maxQueueBytes: -1 })).toThrow(RangeError);
    expect(make({ topic: 't', producer, maxQueue: 1.5 })).toThrow(RangeError);
    expect(make({ topic: 't', producer, maxQueue: '5' })).toThrow(TypeError);
    expect(make({ topic: 't', producer, maxBatch: -1 })).toThrow(/KafkaSink maxBatch/);
    expect(make({ topic: 't', producer, maxMessageBytes: 0 })).toThrow(RangeError);
    expect(make({ topic: 't', producer, shutdownTimeoutMs: -1 })).toThrow(RangeError);
    expect(make({ topic: 't', producer, shutdownTimeoutMs: 0 })).not.toThrow();
    expect(make({ topic: 't', producer, keep: 'rejected' })).toThrow(/use keepWhen/);
    const keep = (t: Trace) => t.trace_id !== '';
    expect(new KafkaSink({ topic: 't', producer, keep }).keep).toBe(keep);
  });

  it('warns about an option name that looks like a typo', () => {
    new KafkaSink({ topic: 't', producer, maxQeue: 5 } as KafkaSinkOptions);
    expect(captured.messages.some((m) => m.includes("did you mean 'maxQueue'"))).toBe(true);
  });
});
