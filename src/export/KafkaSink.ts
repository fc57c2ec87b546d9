import {
  integerOption,
  listOption,
  MAX_OPTION_LIST,
  nonEmptyString,
  optionsObject,
  POSITIVE,
  typeError,
  warnLikelyTypos,
} from '../core/checkOptions.js';
import { reportMisconfiguration, warnOnce } from '../core/diagnostics.js';
import { reportInternalError } from '../core/registry.js';
import type { Trace } from '../types.js';
import {
  createProducer,
  loadKafka,
  type KafkaMessage,
  type KafkaProducerLike,
  type OwnKafkaProducer,
} from './kafka/loadKafka.js';
import { keepOption } from './keepWhen.js';
import type { TraceSink } from './TraceSink.js';

export type { KafkaMessage, KafkaProducerLike, KafkaRecord } from './kafka/loadKafka.js';

/** Options of `KafkaSink`: a `topic`, and either a `producer` or `brokers`. */
export interface KafkaSinkOptions {
  /** The topic each trace is published to (Kafka's rules: up to 249 of `a-z A-Z 0-9 . _ -`). */
  topic: string;
  /**
   * A producer you own (a kafkajs `Producer`, connected by you): the sink sends through it and
   * never connects or disconnects it. Give this or `brokers`, not both.
   */
  producer?: KafkaProducerLike;
  /**
   * Bootstrap brokers (`['localhost:9092']`): the sink makes its own kafkajs producer on its
   * first send (kafkajs, an optional peer dependency, must be installed), and disconnects it on
   * `shutdown()`. Give this or `producer`, not both.
   */
  brokers?: string[];
  /** The kafkajs client id of the producer made for `brokers`. Default 'stepmark-otel'. */
  clientId?: string;
  /** Traces waiting to be sent past which further traces are dropped and counted. Default 1,000. */
  maxQueue?: number;
  /**
   * Bytes of messages waiting to be sent past which further traces are dropped and counted
   * (`queueFull`), so that a broker that is down cannot grow memory without bound. Default 16 MiB.
   */
  maxQueueBytes?: number;
  /** Messages per `send` at most. Default 100. */
  maxBatch?: number;
  /**
   * Bytes of a message (key, value and headers) past which its trace is dropped and counted,
   * never sent; a `send` also carries at most this many bytes (one message always fits), since
   * the broker's limit applies to a batch. Default 1 MiB (the broker's `message.max.bytes` is
   * 1,048,588 by default).
   */
  maxMessageBytes?: number;
  /**
   * How long `shutdown()` waits for the queue to be sent, in milliseconds; what is still queued
   * then is dropped and counted (`timedOut`). Default 5,000.
   */
  shutdownTimeoutMs?: number;
  /** A tail rule: only the traces it returns true for are published (see `keepWhen`). */
  keep?: (trace: Trace) => boolean;
}

/** What a `KafkaSink` did: `sent`, what waits, and every drop by its reason (`dropped` is their sum). */
export interface KafkaSinkStats {
  /** Traces the producer's `send` resolved for. */
  sent: number;
  /** Traces waiting for the writer. */
  queued: number;
  /** Traces in the `send` under way. */
  sending: number;
  /** Traces dropped, for any of the reasons below: their sum. */
  dropped: number;
  /** Dropped because `maxQueue` traces (or `maxQueueBytes` bytes) were waiting already. */
  queueFull: number;
  /** Dropped because the message was larger than `maxMessageBytes`. */
  tooLarge: number;
  /** Dropped because their `send` (or, with `brokers`, connecting) failed. */
  failed: number;
  /** Dropped because kafkajs could not be imported (`brokers` given, kafkajs not installed). */
  unavailable: number;
  /** Exported after `shutdown()`. */
  closed: number;
  /** Still waiting when `shutdown()`'s bound (`shutdownTimeoutMs`) ran out. */
  timedOut: number;
  /** Traces that could not be made a message (`JSON.stringify` threw, no string `trace_id`). */
  invalid: number;
}

type DropReason = Exclude<keyof KafkaSinkStats, 'sent' | 'queued' | 'sending' | 'dropped'>;

const KNOWN = [
  'topic',
  'producer',
  'brokers',
  'clientId',
  'maxQueue',
  'maxQueueBytes',
  'maxBatch',
  'maxMessageBytes',
  'shutdownTimeoutMs',
  'keep',
];

const DEFAULT_MAX_QUEUE = 1_000;
const DEFAULT_MAX_QUEUE_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_BATCH = 100;
const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5_000;
const DEFAULT_CLIENT_ID = 'stepmark-otel';
/** The longest delay `setTimeout` keeps (longer ones fire at once). */
const MAX_TIMER_MS = 2_147_483_647;

/** A legal Kafka topic name (Kafka's `Topic.validate`). */
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
const TRACE_ID = /^(?!0{32}$)[0-9a-f]{32}$/;
const SPAN_ID = /^(?!0{16}$)[0-9a-f]{16}$/;

/** A message waiting to be sent: `seq` orders the exports, for `forceFlush`. */
interface Queued {
  readonly seq: number;
  readonly message: KafkaMessage;
  readonly bytes: number;
}

/**
 * Publishes each finished trace as one Kafka message: key = the trace id (so a trace's messages
 * share a partition), value = the trace's JSON, headers `content-type: application/json` and
 * `traceparent` (`00-<trace id>-<root span id>-01`; the root is the first span without a parent,
 * else the first whose parent is not in the trace, else the first; no header when the ids are
 * not valid W3C ids). `export` only queues: one writer sends batches (`maxBatch` messages, at
 * most `maxMessageBytes` bytes) one `send` at a time, off the caller's stack, so nothing from
 * the broker reaches the caller. Every drop is counted by reason in `stats()`: a full queue
 * (`maxQueue`), a message past `maxMessageBytes`, a failed send (reported once per run of
 * failures on OpenTelemetry's `diag`; the next batch is tried as usual, so sending resumes when
 * the broker is back), after `shutdown()`. With `brokers` the sink makes, connects and (on
 * `shutdown()`) disconnects its own kafkajs producer on the first send; a `producer` given is
 * yours: never connected or disconnected here. Throws a TypeError or RangeError for a wrong option.
 * @example
 * import { Kafka } from 'kafkajs';
 * import { KafkaSink } from 'stepmark-otel/export';
 *
 * // The sink makes its own producer (kafkajs installed) and disconnects it on shutdown():
 * const sink = new KafkaSink({ brokers: ['localhost:9092'], topic: 'stepmark-traces' });
 * // Or through a producer you own, connect and disconnect:
 * const producer = new Kafka({ clientId: 'checkout', brokers: ['localhost:9092'] }).producer();
 * await producer.connect();
 * const shared = new KafkaSink({ producer, topic: 'stepmark-traces', maxBatch: 50 });
 * console.log(sink.stats().dropped, shared.stats().sent);
 */
export class KafkaSink implements TraceSink {
  readonly keep: ((trace: Trace) => boolean) | undefined;
  readonly #topic: string;
  /** The user's producer; undefined with `brokers`. */
  readonly #given: KafkaProducerLike | undefined;
  readonly #brokers: string[];
  readonly #clientId: string;
  readonly #maxQueue: number;
  readonly #maxQueueBytes: number;
  readonly #maxBatch: number;
  readonly #maxMessageBytes: number;
  readonly #shutdownTimeoutMs: number;
  #queue: Queued[] = [];
  /** The bytes of the messages in `#queue`. */
  #queuedBytes = 0;
  /** The batch of the `send` under way. */
  #sending: Queued[] = [];
  #nextSeq = 0;
  /** Whether the writer runs (it runs while it has messages to send). */
  #writing = false;
  /** `forceFlush` callers, each waiting for every export before `upTo` to be sent or dropped. */
  #flushes: Array<{ upTo: number; resolve: () => void }> = [];
  readonly #counts: Record<DropReason | 'sent', number> = {
    sent: 0,
    queueFull: 0,
    tooLarge: 0,
    failed: 0,
    unavailable: 0,
    closed: 0,
    timedOut: 0,
    invalid: 0,
  };
  /** Whether the last send failed: a failure is reported once per run of them. */
  #failing = false;
  #closed = false;
  #shutdown: Promise<void> | undefined;
  /** The producer made for `brokers` (on the first send). */
  #own: OwnKafkaProducer | undefined;
  #connected = false;
  /** Set when `shutdown()` disconnects the producer made here: none is made or connected after. */
  #released = false;
  /** Set when kafkajs could not be imported: every trace is dropped from then on. */
  #unavailable = false;

  constructor(options: KafkaSinkOptions) {
    const example = "e.g. new KafkaSink({ brokers: ['localhost:9092'], topic: 'stepmark-traces' })";
    const o = optionsObject<Record<string, unknown>>('KafkaSink', options);
    if (o === undefined || typeof o.topic !== 'string' || !isTopic(o.topic))
      throw typeError('KafkaSink topic', 'a Kafka topic name', o?.topic, example);
    warnLikelyTypos('KafkaSink', o, KNOWN);
    this.#topic = o.topic;
    if (o.producer !== undefined && o.brokers !== undefined)
      throw typeError(
        'KafkaSink brokers',
        'left out when a producer is given',
        o.brokers,
        'the sink sends through the producer given; give producer or brokers, not both',
      );
    if (o.producer !== undefined) {
      const producer = o.producer as Record<string, unknown> | null;
      if (producer === null || typeof producer !== 'object' || typeof producer.send !== 'function')
        throw typeError('KafkaSink producer', 'a kafkajs producer (an object with send)', producer);
      if (o.clientId !== undefined)
        throw typeError(
          'KafkaSink clientId',
          'left out when a producer is given',
          o.clientId,
          'the producer keeps the client id it was made with',
        );
      this.#given = o.producer as KafkaProducerLike;
      this.#brokers = [];
      this.#clientId = DEFAULT_CLIENT_ID;
    } else {
      if (o.brokers === undefined)
        throw typeError('KafkaSink', 'given a producer or brokers', undefined, example);
      const brokers = listOption(
        'KafkaSink brokers',
        o.brokers,
        MAX_OPTION_LIST,
        "'host:port' strings",
        nonEmptyString,
        (given) => `use [${JSON.stringify(given)}]`,
      );
      if (brokers === undefined || brokers.length === 0)
        throw typeError('KafkaSink brokers', "a non-empty array of 'host:port' strings", o.brokers);
      if (o.clientId !== undefined) nonEmptyString(o.clientId, 'KafkaSink clientId');
      this.#given = undefined;
      this.#brokers = brokers;
      this.#clientId = (o.clientId as string | undefined) ?? DEFAULT_CLIENT_ID;
    }
    this.#maxQueue = integerOption('KafkaSink maxQueue', o.maxQueue, POSITIVE) ?? DEFAULT_MAX_QUEUE;
    this.#maxQueueBytes =
      integerOption('KafkaSink maxQueueBytes', o.maxQueueBytes, POSITIVE) ??
      DEFAULT_MAX_QUEUE_BYTES;
    this.#maxBatch = integerOption('KafkaSink maxBatch', o.maxBatch, POSITIVE) ?? DEFAULT_MAX_BATCH;
    this.#maxMessageBytes =
      integerOption('KafkaSink maxMessageBytes', o.maxMessageBytes, POSITIVE) ??
      DEFAULT_MAX_MESSAGE_BYTES;
    this.#shutdownTimeoutMs =
      integerOption('KafkaSink shutdownTimeoutMs', o.shutdownTimeoutMs, {
        min: 0,
        max: MAX_TIMER_MS,
        expects: `an integer of milliseconds from 0 to ${MAX_TIMER_MS}`,
      }) ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    this.keep = keepOption('KafkaSink', o.keep);
  }

  /** Traces dropped, for any reason (`stats()` has them by reason). */
  get dropped(): number {
    const c = this.#counts;
    return c.queueFull + c.tooLarge + c.failed + c.unavailable + c.closed + c.timedOut + c.invalid;
  }

  /**
   * What the sink did so far: sent, waiting, and every drop by its reason.
   * @example const { sent, dropped, failed } = sink.stats();
   */
  stats(): KafkaSinkStats {
    return {
      ...this.#counts,
      queued: this.#queue.length,
      sending: this.#sending.length,
      dropped: this.dropped,
    };
  }

  /** Queues the trace's message for the writer; never throws, never waits for the broker. */
  export(trace: Trace): void {
    try {
      if (this.#closed) return this.#drop('closed');
      if (this.#unavailable) return this.#drop('unavailable');
      if (this.#queue.length >= this.#maxQueue) return this.#drop('queueFull');
      const message = toMessage(trace);
      if (message === undefined) {
        warnOnce(
          `KafkaSink.invalid:${this.#topic}`,
          `KafkaSink (topic "${this.#topic}") dropped a trace it could not serialize; counted in stats().invalid`,
        );
        return this.#drop('invalid');
      }
      const bytes = messageBytes(message);
      if (bytes > this.#maxMessageBytes) return this.#drop('tooLarge');
      if (this.#queuedBytes + bytes > this.#maxQueueBytes) return this.#drop('queueFull');
      this.#queue.push({ seq: this.#nextSeq++, message, bytes });
      this.#queuedBytes += bytes;
      if (!this.#writing) {
        this.#writing = true;
        void this.#write(); // never rejects
      }
    } catch (error) {
      this.#drop('invalid');
      reportInternalError('KafkaSink.export', error);
    }
  }

  /** Resolves when every trace exported before the call was sent or dropped (never rejects). */
  forceFlush(): Promise<void> {
    const upTo = this.#nextSeq;
    if (this.#settledUpTo() >= upTo) return Promise.resolve();
    return new Promise((resolve) => this.#flushes.push({ upTo, resolve }));
  }

  /**
   * Sends what is queued, waiting at most `shutdownTimeoutMs` (what is still queued then is
   * dropped and counted in `timedOut`), then disconnects the producer made for `brokers` (a
   * producer given is left as it is). Later traces are dropped and counted in `closed`. Never rejects.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#close();
    return this.#shutdown;
  }

  #drop(reason: DropReason): void {
    this.#counts[reason]++;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(resolve, this.#shutdownTimeoutMs, 'timeout');
    });
    try {
      if ((await Promise.race([this.forceFlush(), deadline])) === 'timeout') {
        this.#counts.timedOut += this.#queue.length;
        this.#queue = [];
        this.#queuedBytes = 0;
        this.#settle();
      }
      this.#released = true;
      const own = this.#own;
      if (own !== undefined) {
        const disconnected = (async () => own.disconnect())().catch((error: unknown) =>
          warnOnce('KafkaSink.disconnect', 'KafkaSink could not disconnect its producer', error),
        );
        await Promise.race([disconnected, deadline]);
      }
    } catch (error) {
      reportInternalError('KafkaSink.shutdown', error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The one writer: sends the queue in order, one batch at a time, until it is empty. */
  async #write(): Promise<void> {
    try {
      // Off the exporting caller's stack; the traces exported in the same tick join one batch.
      await Promise.resolve();
      while (this.#queue.length > 0) {
        this.#sending = this.#takeBatch();
        await this.#send(this.#sending);
        this.#sending = [];
        this.#settle();
      }
    } catch (error) {
      // #send never throws: this is a bug, not the broker
      reportInternalError('KafkaSink.write', error);
    } finally {
      this.#writing = false;
    }
  }

  /** Up to `maxBatch` messages from the queue, of `maxMessageBytes` together (the first always). */
  #takeBatch(): Queued[] {
    let take = 0;
    let bytes = 0;
    while (take < this.#queue.length && take < this.#maxBatch) {
      const next = (this.#queue[take] as Queued).bytes;
      if (take > 0 && bytes + next > this.#maxMessageBytes) break;
      bytes += next;
      take++;
    }
    this.#queuedBytes -= bytes;
    return this.#queue.splice(0, take);
  }

  /** Sends one batch and counts it: sent, or dropped by its reason. Never throws. */
  async #send(batch: readonly Queued[]): Promise<void> {
    try {
      const producer = await this.#producer();
      if (producer === 'unavailable') {
        this.#counts.unavailable += batch.length + this.#queue.length;
        this.#queue = [];
        this.#queuedBytes = 0;
        return;
      }
      if (producer === 'released') {
        this.#counts.timedOut += batch.length;
        return;
      }
      await producer.send({ topic: this.#topic, messages: batch.map((entry) => entry.message) });
    } catch (error) {
      this.#counts.failed += batch.length;
      if (!this.#failing)
        warnOnce(
          `KafkaSink.send:${this.#topic}`,
          `KafkaSink could not send to topic "${this.#topic}"; traces are dropped and counted in stats().failed until a send succeeds`,
          error,
        );
      this.#failing = true;
      return;
    }
    this.#counts.sent += batch.length;
    this.#failing = false;
  }

  /**
   * The producer to send with: the one given, or the one made for `brokers` (imported, made and
   * connected on the first send; a failed connect is tried again on the next batch).
   * 'unavailable' when kafkajs cannot be imported, 'released' after `shutdown()` gave up on it.
   */
  async #producer(): Promise<KafkaProducerLike | 'unavailable' | 'released'> {
    if (this.#given !== undefined) return this.#given;
    if (this.#own === undefined) {
      let kafka;
      try {
        kafka = await loadKafka();
      } catch (error) {
        this.#unavailable = true;
        reportMisconfiguration(
          'missing-peer:kafkajs',
          'KafkaSink({ brokers }) needs kafkajs, an optional peer dependency, which could not be ' +
            `imported (${error instanceof Error ? error.message : 'import failed'}): npm install kafkajs, or give the sink a producer; ` +
            'every trace is dropped and counted in stats().unavailable',
        );
        return 'unavailable';
      }
      if (this.#released) return 'released';
      this.#own = createProducer(kafka, this.#clientId, this.#brokers);
    }
    if (!this.#connected) {
      const own = this.#own;
      await own.connect();
      if (this.#released) {
        // shutdown() disconnected while this connect was under way
        await (async () => own.disconnect())().catch(() => undefined);
        return 'released';
      }
      this.#connected = true;
    }
    return this.#own;
  }

  /** The seq of the oldest trace not yet sent or dropped (the next seq when none waits). */
  #settledUpTo(): number {
    return this.#sending[0]?.seq ?? this.#queue[0]?.seq ?? this.#nextSeq;
  }

  /** Resolves the `forceFlush` callers whose traces are all sent or dropped now. */
  #settle(): void {
    if (this.#flushes.length === 0) return;
    const upTo = this.#settledUpTo();
    const waiting = this.#flushes;
    this.#flushes = [];
    for (const flush of waiting) {
      if (flush.upTo <= upTo) flush.resolve();
      else this.#flushes.push(flush);
    }
  }
}

function isTopic(topic: string): boolean {
  return TOPIC.test(topic) && topic !== '.' && topic !== '..';
}

/** The trace's message, or undefined when it has no string id or cannot be serialized. */
function toMessage(trace: Trace): KafkaMessage | undefined {
  try {
    const key = trace.trace_id;
    if (typeof key !== 'string') return undefined;
    const value = JSON.stringify(trace) as string | undefined;
    if (typeof value !== 'string') return undefined;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const spanId = rootSpanId(trace.spans);
    if (TRACE_ID.test(key) && spanId !== undefined && SPAN_ID.test(spanId))
      headers.traceparent = `00-${key}-${spanId}-01`;
    return { key, value, headers };
  } catch {
    return undefined; // a cycle, a BigInt, a getter that throws
  }
}

/**
 * The span id of the trace's root: the first span without a parent, else the first whose parent
 * is not in the trace (a service's local root under a remote parent), else the first span.
 */
function rootSpanId(spans: unknown): string | undefined {
  if (!Array.isArray(spans) || spans.length === 0) return undefined;
  const list = spans as ReadonlyArray<Partial<Record<'span_id' | 'parent_id', unknown>> | null>;
  const ids = new Set(list.map((span) => span?.span_id));
  const root =
    list.find((span) => span != null && (span.parent_id === undefined || span.parent_id === '')) ??
    list.find((span) => span != null && !ids.has(span.parent_id)) ??
    list[0];
  return typeof root?.span_id === 'string' ? root.span_id : undefined;
}

/** The UTF-8 bytes of the message's key, value and headers. */
function messageBytes(message: KafkaMessage): number {
  let bytes = Buffer.byteLength(message.key) + Buffer.byteLength(message.value);
  for (const name in message.headers)
    bytes += Buffer.byteLength(name) + Buffer.byteLength(message.headers[name] as string);
  return bytes;
}
