import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { isThenable } from '../core/isThenable.js';
import { reportInternalError } from '../core/registry.js';
import { whenSettled } from '../core/whenSettled.js';
import type { TracedRequest } from '../http/RequestGate.js';
import { MAX_BAGGAGE_BYTES, parseTraceparent } from '../propagation/w3c.js';
import { defaultMessageGate, type MessageGate } from './MessageGate.js';
import { headerText, headerValue, INVALID_UTF8, type MessageHeaders } from './MessageHeaders.js';
import { counters } from './messagingStats.js';

const TRACER = 'stepmark-otel/messaging';
/** Longer than any valid `traceparent` (55 characters, a little more for future versions). */
const MAX_TRACEPARENT = 512;
/** The W3C limit a `tracestate` header is read up to; longer, it is dropped (not the message). */
const MAX_TRACESTATE = 512;
/** What the fast path looks for in a Buffer of baggage, without decoding it. */
const STEPMARK_BYTES = new TextEncoder().encode('stepmark');

/** Options of `withMessageContext`. */
export interface MessageContextOptions {
  /** The topic (queue, subject) the message came from: names the span `process <topic>`. */
  topic?: string;
  /** `messaging.system`. Default `'kafka'`. */
  system?: string;
  /** The tracer of the CONSUMER span. Default `trace.getTracer('stepmark-otel/messaging')`. */
  tracer?: Tracer;
  /** Signature and rate-limit rules for the flag (see `MessageGate`). Default: one shared gate. */
  gate?: MessageGate;
}

/** The message's trace headers, decoded and checked; `bad` when the message must run untraced. */
interface CarriedContext {
  carrier: Record<string, string>;
  parent: SpanContext | undefined;
  bad: boolean;
}

function readHeaders(headers: MessageHeaders | null | undefined): CarriedContext {
  const carrier: Record<string, string> = {};
  const traceparent = headerText(headers, 'traceparent');
  const baggage = headerText(headers, 'baggage');
  if (traceparent === INVALID_UTF8 || baggage === INVALID_UTF8) {
    counters.invalidUtf8++;
    return { carrier, parent: undefined, bad: true };
  }
  let parent: SpanContext | undefined;
  if (traceparent !== undefined) {
    parent = traceparent.length > MAX_TRACEPARENT ? undefined : parseTraceparent(traceparent);
    if (parent === undefined) {
      counters.malformedTraceparent++;
      return { carrier, parent: undefined, bad: true };
    }
    carrier.traceparent = traceparent;
    const tracestate = headerText(headers, 'tracestate');
    if (typeof tracestate === 'string' && tracestate.length <= MAX_TRACESTATE)
      carrier.tracestate = tracestate;
  }
  if (baggage !== undefined) {
    if (Buffer.byteLength(baggage, 'utf8') > MAX_BAGGAGE_BYTES) {
      counters.oversizedBaggage++;
      return { carrier: {}, parent: undefined, bad: true };
    }
    carrier.baggage = baggage;
  }
  return { carrier, parent, bad: false };
}

/**
 * The active span when it is a recording CONSUMER span for this message (an instrumentation's,
 * e.g. `@opentelemetry/instrumentation-kafkajs`'s `process` span): same trace as the message's
 * `traceparent`, so that a batch's `receive` span is never taken for one message's span.
 */
function activeConsumerSpan(active: Context, parent: SpanContext | undefined): Span | undefined {
  const span = trace.getSpan(active);
  if (span === undefined || !span.isRecording()) return undefined;
  if ((span as { kind?: unknown }).kind !== SpanKind.CONSUMER) return undefined;
  if (parent !== undefined && span.spanContext().traceId !== parent.traceId) return undefined;
  return span;
}

function fail(span: Span | undefined, error: unknown): void {
  if (span === undefined) return;
  try {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      ...(error instanceof Error ? { message: error.message } : {}),
    });
  } catch (caught) {
    reportInternalError('withMessageContext', caught);
  }
}

/**
 * Whether the message's baggage may carry the stepmark flag: false when it has no `baggage`
 * header or the header does not mention `stepmark` (bytes searched as they are, not decoded).
 */
function mayAskForRecording(headers: MessageHeaders | null | undefined): boolean {
  const raw = headerValue(headers, 'baggage');
  const first = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  if (first === undefined || first === null) return false;
  if (typeof first === 'string') return first.includes('stepmark');
  if (first instanceof Uint8Array) return containsStepmark(first);
  return true; // another shape: the slow path reads it
}

/**
 * Whether `span` is this message's: in the trace its `traceparent` names (or it has none), so
 * that a batch's span of another trace is never taken for one message's span.
 */
function isSpanOf(span: Span, headers: MessageHeaders | null | undefined): boolean {
  const raw = headerValue(headers, 'traceparent');
  const first = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  if (first === undefined || first === null) return true;
  const traceId = span.spanContext().traceId;
  // `00-<trace id>-...`: compared in place, nothing parsed
  if (typeof first === 'string') return first.startsWith(traceId, 3);
  if (first instanceof Uint8Array) return hasTraceId(first, traceId);
  return false;
}

/** Whether the bytes hold `stepmark` (a loop: cheaper than a native call for a header's size). */
function containsStepmark(bytes: Uint8Array): boolean {
  const last = bytes.length - STEPMARK_BYTES.length;
  outer: for (let i = 0; i <= last; i++) {
    for (let j = 0; j < STEPMARK_BYTES.length; j++)
      if (bytes[i + j] !== STEPMARK_BYTES[j]) continue outer;
    return true;
  }
  return false;
}

/** Whether the `traceparent` bytes carry `traceId` (`00-<trace id>-...`), compared in place. */
function hasTraceId(bytes: Uint8Array, traceId: string): boolean {
  if (bytes.length < 3 + traceId.length) return false;
  for (let i = 0; i < traceId.length; i++) if (bytes[3 + i] !== traceId.charCodeAt(i)) return false;
  return true;
}

/** Runs `fn` as it is, recording what it throws or rejects with on `span`. */
function runOn<T>(span: Span, fn: () => T): T {
  let result: T;
  try {
    result = fn();
  } catch (error) {
    fail(span, error);
    throw error;
  }
  if (!isThenable(result)) return result;
  return whenSettled(result, 'withMessageContext', (failed, error) => {
    if (failed) fail(span, error);
  });
}

/** Ends what this call started, once the handler settled. Never throws. */
function settle(own: Span | undefined, traced: TracedRequest | undefined): void {
  try {
    traced?.finish();
    own?.end();
  } catch (error) {
    reportInternalError('withMessageContext', error);
  }
}

/**
 * Runs a message handler in the context its headers carry (W3C `traceparent`, `tracestate`,
 * `baggage`, read with the global propagator): a CONSUMER span `process <topic>`, child of the
 * producer's span and linked to it, or the active CONSUMER span of an instrumentation (never a
 * second one); stepmark records in it when the baggage carries `stepmark=1` and the gate lets
 * it (signature, rate limit: the HTTP rules). Returns what `fn` returns; an error `fn` throws or
 * rejects with reaches the caller as it is and is recorded on the span. Malformed, oversized or
 * non-UTF-8 trace headers: `fn` still runs, outside the producer's trace, unrecorded, counted
 * in `messagingStats()`.
 * @example await consumer.run({ eachMessage: ({ topic, message }) => withMessageContext(message.headers ?? {}, () => handle(message), { topic }) })
 */
export function withMessageContext<T>(
  headers: MessageHeaders | null | undefined,
  fn: () => T,
  options: MessageContextOptions = {},
): T {
  counters.messages++;
  const instrumented = instrumentationSpanFor(headers);
  return instrumented === undefined
    ? runInMessageContext(headers, fn, options)
    : runOn(instrumented, fn);
}

/**
 * The active span when a consumer instrumentation's span of this message is active and the
 * message does not ask for recording: then nothing more is needed from us (its span and
 * context are there), at the cost of a header lookup. Never throws.
 */
function instrumentationSpanFor(headers: MessageHeaders | null | undefined): Span | undefined {
  try {
    const span = activeConsumerSpan(context.active(), undefined);
    return span !== undefined && !mayAskForRecording(headers) && isSpanOf(span, headers)
      ? span
      : undefined;
  } catch (error) {
    reportInternalError('withMessageContext', error);
    return undefined;
  }
}

/** The handler in the context the headers carry, under a CONSUMER span (its own or the instrumentation's). */
function runInMessageContext<T>(
  headers: MessageHeaders | null | undefined,
  fn: () => T,
  options: MessageContextOptions,
): T {
  let own: Span | undefined;
  let span: Span | undefined;
  let traced: TracedRequest | undefined;
  let ctx: Context;
  try {
    const active = context.active();
    const { carrier, parent, bad } = readHeaders(headers);
    const topic = options.topic;
    const name = topic === undefined || topic === '' ? 'process' : `process ${topic}`;
    const attributes: Record<string, string> = {
      'messaging.system': options.system ?? 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
    };
    if (topic !== undefined && topic !== '') attributes['messaging.destination.name'] = topic;
    const reused = activeConsumerSpan(active, parent);
    if (reused !== undefined) {
      counters.reusedConsumerSpans++;
      span = reused;
      // Its instrumentation extracted the context already; the message's baggage fills a gap.
      ctx =
        propagation.getBaggage(active) === undefined && carrier.baggage !== undefined
          ? propagation.extract(active, { baggage: carrier.baggage })
          : active;
    } else {
      // One context per message: no baggage of the surrounding code (a batch's) leaks in.
      const base = propagation.extract(propagation.deleteBaggage(active), carrier);
      const links: Link[] = parent === undefined ? [] : [{ context: parent }];
      const tracer = options.tracer ?? trace.getTracer(TRACER);
      own = tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes, links }, base);
      span = own;
      ctx = trace.setSpan(base, own);
    }
    if (!bad) {
      const gate = options.gate ?? defaultMessageGate();
      traced = context.with(ctx, () => gate.open({ headers: carrier }, name, attributes));
      if (traced !== undefined) {
        counters.recordedMessages++;
        ctx = traced.ctx;
        span = trace.getSpan(ctx) ?? span;
      }
    }
  } catch (error) {
    reportInternalError('withMessageContext', error);
    settle(own, traced);
    return fn(); // tracing never stands between a message and its handler
  }
  let result: T;
  try {
    result = context.with(ctx, fn);
  } catch (error) {
    fail(span, error);
    settle(own, traced);
    throw error;
  }
  if (!isThenable(result)) {
    settle(own, traced);
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      settle(own, traced);
      return value;
    },
    (error: unknown) => {
      fail(span, error);
      settle(own, traced);
      throw error;
    },
  ) as T;
}
