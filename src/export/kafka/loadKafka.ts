// kafkajs is an optional peer dependency: it is loaded only when a KafkaSink is given `brokers`
// and sends its first trace. Its types are described here, structurally, so that neither the
// library nor its users' type checks need kafkajs's own declarations.

/** A message as KafkaSink sends it: the trace id, the trace's JSON and its headers. */
export interface KafkaMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** What KafkaSink hands to `send`: one topic, one or more messages. */
export interface KafkaRecord {
  topic: string;
  messages: KafkaMessage[];
}

/**
 * The part of a kafkajs `Producer` KafkaSink uses: `send`, and `connect`/`disconnect` for the
 * producer it makes itself. A kafkajs producer is one; so is any object with such a `send`.
 */
export interface KafkaProducerLike {
  send(record: KafkaRecord): Promise<unknown>;
  connect?(): Promise<void>;
  disconnect?(): Promise<void>;
}

/** A producer KafkaSink made itself: it connects and disconnects it. */
export interface OwnKafkaProducer extends KafkaProducerLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

/** The part of the kafkajs module KafkaSink uses. */
export interface KafkaModuleLike {
  Kafka: new (config: { clientId: string; brokers: string[]; logLevel?: number }) => {
    producer(config?: { createPartitioner?: unknown }): OwnKafkaProducer;
  };
  logLevel?: { ERROR?: number };
  Partitioners?: { DefaultPartitioner?: unknown };
}

/**
 * Imports kafkajs (a CommonJS package: its exports may sit on `default`). The specifier is a
 * parameter, not a literal, so that the build leaves kafkajs out of the bundle: it is the
 * user's, resolved from their node_modules at run time. Rejects when it cannot be imported.
 */
export async function loadKafka(specifier = 'kafkajs'): Promise<KafkaModuleLike> {
  const loaded = (await import(specifier)) as Partial<KafkaModuleLike> & {
    default?: Partial<KafkaModuleLike>;
  };
  const module = typeof loaded.Kafka === 'function' ? loaded : loaded.default;
  if (typeof module?.Kafka !== 'function')
    throw new TypeError(`stepmark-otel: '${specifier}' has no Kafka class: is it kafkajs?`);
  return module as KafkaModuleLike;
}

/**
 * A kafkajs producer for `brokers`, not yet connected. kafkajs logs only errors (its default,
 * INFO, writes a line per connection to stdout), and keys are partitioned as the Java client
 * does (kafkajs 2's default, named so that it does not warn about the change).
 */
export function createProducer(
  kafka: KafkaModuleLike,
  clientId: string,
  brokers: string[],
): OwnKafkaProducer {
  const client = new kafka.Kafka({ clientId, brokers, logLevel: kafka.logLevel?.ERROR ?? 1 });
  const partitioner = kafka.Partitioners?.DefaultPartitioner;
  return client.producer(partitioner === undefined ? {} : { createPartitioner: partitioner });
}
