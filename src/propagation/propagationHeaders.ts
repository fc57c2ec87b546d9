import { context, propagation, trace, type Context } from '@opentelemetry/api';
import { reportInternalError } from '../core/registry.js';
import { isEnabledContext, withStepmarkBaggage } from './baggage.js';
import { formatBaggage, formatTraceparent } from './w3c.js';

/** Headers of an outgoing call: W3C trace context, and baggage with `stepmark=1` when traced. */
export interface PropagationHeaders {
  traceparent?: string;
  tracestate?: string;
  baggage?: string;
}

/**
 * The W3C headers to send with an outgoing call from `ctx`: `traceparent`/`tracestate` of the
 * active span, and `baggage` with `stepmark=1` when stepmark records here, so that one trigger
 * at the edge turns recording on in every service downstream. Never throws.
 * @example await fetch(url, { headers: { ...stepmark.propagationHeaders() } })
 */
export function propagationHeaders(ctx: Context = context.active()): PropagationHeaders {
  const headers: PropagationHeaders = {};
  try {
    const sc = trace.getSpanContext(ctx);
    if (sc !== undefined && trace.isSpanContextValid(sc)) {
      headers.traceparent = formatTraceparent(sc);
      const state = sc.traceState?.serialize();
      if (state) headers.tracestate = state;
    }
    // enable() already put stepmark=1 in the baggage; a context enabled otherwise gets it here.
    const withFlag = isEnabledContext(ctx) ? withStepmarkBaggage(ctx) : ctx;
    const baggage = formatBaggage(propagation.getBaggage(withFlag));
    if (baggage !== undefined) headers.baggage = baggage;
  } catch (error) {
    reportInternalError('propagationHeaders', error);
  }
  return headers;
}

/**
 * Adds the propagation headers to kafkajs-style message headers (a record of strings or
 * Buffers), keeping the message's own headers.
 * @example await producer.send({ topic, messages: [{ value, headers: stepmark.injectMessageHeaders({}) }] })
 */
export function injectMessageHeaders<T extends Record<string, string | Buffer | undefined>>(
  headers: T,
  ctx: Context = context.active(),
): T & PropagationHeaders {
  return Object.assign(headers, propagationHeaders(ctx));
}
