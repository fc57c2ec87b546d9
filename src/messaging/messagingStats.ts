import { PROTOCOL } from '../core/registry.js';

/** Counters of `withMessageContext`, process-wide (see `messagingStats()`). */
export interface MessagingStats {
  /** Messages handled by `withMessageContext` (each call counts). */
  messages: number;
  /** Messages whose `traceparent` was malformed or oversized: handled outside the producer's trace. */
  malformedTraceparent: number;
  /** Messages whose `baggage` was over 8,192 bytes: handled outside the producer's trace. */
  oversizedBaggage: number;
  /** Messages with a trace header that was not valid UTF-8: that header ignored, the message untraced. */
  invalidUtf8: number;
  /** Messages handled on an active CONSUMER span (an instrumentation's) instead of a new one. */
  reusedConsumerSpans: number;
  /** Messages whose baggage carried `stepmark=1` and that recorded. */
  recordedMessages: number;
}

const STATS_KEY = Symbol.for(`stepmark-otel.protocol-${PROTOCOL}.messaging`);

/** The counters, shared by copies of the package through `Symbol.for` (as the registry is). */
export const counters: MessagingStats = ((): MessagingStats => {
  const holder = globalThis as unknown as Record<symbol, MessagingStats | undefined>;
  const existing = holder[STATS_KEY];
  if (existing !== undefined) return existing;
  const created: MessagingStats = {
    messages: 0,
    malformedTraceparent: 0,
    oversizedBaggage: 0,
    invalidUtf8: 0,
    reusedConsumerSpans: 0,
    recordedMessages: 0,
  };
  holder[STATS_KEY] = created;
  return created;
})();

/**
 * A copy of the messaging counters: bad trace headers (each such message ran untraced), reused
 * instrumentation spans, messages that recorded. Refused or rate-limited flags are counted in
 * `stats()` (`refusedBaggageFlags`, `rateLimitedRequests`), as for HTTP.
 * @example messagingStats().malformedTraceparent // 0 when every producer sends valid headers
 */
export function messagingStats(): MessagingStats {
  return { ...counters };
}
