import { reportInternalError } from '../core/registry.js';
import { propagationHeaders, type PropagationHeaders } from '../propagation/propagationHeaders.js';

/** A message as a kafkajs producer takes it; only `headers` is read here. */
interface OutgoingMessage {
  headers?: Record<string, string | Buffer | (string | Buffer)[] | undefined>;
}

/** The kafkajs producer methods this wrapper adds headers to. */
export interface TraceableProducer {
  send(record: { topic: string; messages: OutgoingMessage[] }): Promise<unknown>;
  sendBatch?(batch: {
    topicMessages?: { topic: string; messages: OutgoingMessage[] }[];
  }): Promise<unknown>;
}

/** The messages with the propagation headers of the active context added (copies: the caller's stay as they are). */
function withHeaders<M extends OutgoingMessage>(messages: M[], added: PropagationHeaders): M[] {
  return messages.map((message) =>
    message !== null && typeof message === 'object'
      ? { ...message, headers: { ...message.headers, ...added } }
      : message,
  );
}

/** `record` with headers added to its messages; `record` itself when it is not the expected shape. */
function withMessageHeaders<R extends { messages: OutgoingMessage[] }>(
  record: R,
  added: PropagationHeaders,
): R {
  if (record === null || typeof record !== 'object' || !Array.isArray(record.messages))
    return record; // kafkajs says what is wrong with it
  return { ...record, messages: withHeaders(record.messages, added) };
}

/**
 * Wraps a kafkajs producer so that every message it sends (`send`, `sendBatch`) carries the
 * trace context and the stepmark flag of the context it is sent from (`traceparent`,
 * `tracestate`, `baggage` with `stepmark=1` when recording): the consumer's
 * `withMessageContext` continues the trace and records too. Everything else is the producer's
 * own (a Proxy: `connect`, `disconnect`, `transaction`, events ...). Messages are copied, never
 * changed. Under `@opentelemetry/instrumentation-kafkajs` the instrumentation sets
 * `traceparent` to its own producer span afterwards; the baggage stays.
 * @example const producer = tracedProducer(kafka.producer()); await producer.send({ topic: 'orders', messages: [{ value: '{}' }] })
 */
export function tracedProducer<P extends TraceableProducer>(producer: P): P {
  if (producer === null || typeof producer !== 'object' || typeof producer.send !== 'function')
    throw new TypeError('tracedProducer: expected a kafkajs producer (an object with send())');
  const send: TraceableProducer['send'] = (record) => {
    let traced = record;
    try {
      traced = withMessageHeaders(record, propagationHeaders());
    } catch (error) {
      reportInternalError('tracedProducer', error); // the message goes out untraced
    }
    return producer.send(traced);
  };
  const sendBatch: NonNullable<TraceableProducer['sendBatch']> = (batch) => {
    let traced = batch;
    try {
      if (batch !== null && typeof batch === 'object' && Array.isArray(batch.topicMessages)) {
        const added = propagationHeaders();
        traced = {
          ...batch,
          topicMessages: batch.topicMessages.map((record) => withMessageHeaders(record, added)),
        };
      }
    } catch (error) {
      reportInternalError('tracedProducer', error);
    }
    return producer.sendBatch!(traced);
  };
  return new Proxy(producer, {
    get(target, key, receiver) {
      if (key === 'send') return send;
      if (key === 'sendBatch' && typeof target.sendBatch === 'function') return sendBatch;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}
