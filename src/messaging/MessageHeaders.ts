import type { TextMapGetter } from '@opentelemetry/api';
import { counters } from './messagingStats.js';

/** One header value as kafkajs gives it: a string, a Buffer, several of them, or nothing. */
export type MessageHeaderValue =
  string | Buffer | Uint8Array | (string | Buffer | Uint8Array)[] | undefined;

/**
 * A message's headers: a kafkajs-style record (`message.headers`), or a list of
 * `{ key, value }` pairs (KafkaJS `IHeaders` arrays, node-rdkafka, Confluent's client).
 */
export type MessageHeaders =
  | Readonly<Record<string, MessageHeaderValue>>
  | readonly { readonly key: string; readonly value?: MessageHeaderValue | null }[];

/** What `headersOf` reads: anything with optional `headers` (a kafkajs `KafkaMessage`). */
export interface MessageLike {
  readonly headers?: MessageHeaders | null | undefined;
}

/** Marks a value that was not valid UTF-8 (counted once per message by the caller). */
export const INVALID_UTF8 = Symbol('invalid UTF-8');

// `fatal`: invalid bytes throw instead of becoming U+FFFD, which would pass for a header value.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of one raw value (the first, if several); `INVALID_UTF8` when bytes do not decode. */
function textOf(value: MessageHeaderValue | null): string | typeof INVALID_UTF8 | undefined {
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof first === 'string') return first;
  if (first instanceof Uint8Array) {
    try {
      return decoder.decode(first);
    } catch {
      return INVALID_UTF8;
    }
  }
  return undefined;
}

/**
 * The raw value of header `name` (lower case; keys compared ignoring ASCII case, as HTTP's).
 * Never throws: odd shapes read as absent.
 */
export function headerValue(
  headers: MessageHeaders | null | undefined,
  name: string,
): MessageHeaderValue | null {
  if (headers === null || typeof headers !== 'object') return undefined;
  try {
    if (Array.isArray(headers)) {
      for (const pair of headers as readonly {
        key?: unknown;
        value?: MessageHeaderValue | null;
      }[]) {
        if (typeof pair?.key === 'string' && pair.key.toLowerCase() === name) return pair.value;
      }
      return undefined;
    }
    const record = headers as Readonly<Record<string, MessageHeaderValue>>;
    if (Object.prototype.hasOwnProperty.call(record, name)) return record[name];
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === name) return record[key];
    }
  } catch {
    // a hostile object (a throwing getter or Proxy): no header
  }
  return undefined;
}

/** The value of header `name` decoded as UTF-8 (see `headerValue`). Never throws. */
export function headerText(
  headers: MessageHeaders | null | undefined,
  name: string,
): string | typeof INVALID_UTF8 | undefined {
  try {
    return textOf(headerValue(headers, name));
  } catch {
    return undefined; // a hostile value (a Proxy array)
  }
}

/**
 * A `TextMapGetter` over message headers, for `propagation.extract(ctx, headers, getter)` in
 * code of your own: Buffers are decoded as UTF-8; a value that is not valid UTF-8 reads as
 * absent and is counted in `messagingStats().invalidUtf8`.
 * @example const ctx = propagation.extract(ROOT_CONTEXT, message.headers ?? {}, messageHeaderGetter)
 */
export const messageHeaderGetter: TextMapGetter<MessageHeaders> = {
  keys(headers) {
    if (Array.isArray(headers))
      return (headers as readonly { key?: unknown }[])
        .map((pair) => pair?.key)
        .filter((key): key is string => typeof key === 'string');
    return headers === null || typeof headers !== 'object' ? [] : Object.keys(headers);
  },
  get(headers, key) {
    const text = headerText(headers, key.toLowerCase());
    if (text === INVALID_UTF8) {
      counters.invalidUtf8++;
      return undefined;
    }
    return text;
  },
};

/**
 * The headers of a message (`message.headers`), or an empty record when it has none.
 * @example await withMessageContext(headersOf(message), () => handle(message), { topic })
 */
export function headersOf(message: MessageLike | null | undefined): MessageHeaders {
  return message?.headers ?? {};
}
