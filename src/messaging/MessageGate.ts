import type { StepmarkOptions } from '../core/options.js';
import { RequestGate, type TracedRequest } from '../http/RequestGate.js';
import type { RequestHead } from '../http/RequestHead.js';
import { flagSignerOf } from '../propagation/FlagSigner.js';

/** How a consumer decides whether a message's baggage `stepmark=1` turns recording on. */
export interface MessageGateOptions {
  /**
   * The secret shared with the producers' services that signs the flag (`stepmark.sig`), as the
   * HTTP option `flagKey`: default `STEPMARK_FLAG_KEY`, else `STEPMARK_TOKEN`; `false` for none.
   */
  flagKey?: string | Uint8Array | false;
  /**
   * Honour only a flag signed for the message's own trace id (unsigned, forged or replayed
   * flags run untraced, counted in `stats().refusedBaggageFlags`), as an HTTP service with
   * `authorize` and a key does. Default: true when a key is configured, false otherwise.
   */
  signedFlagsOnly?: boolean;
  /** Flagged messages recorded per second, per gate (token bucket), as HTTP's; default 10/s, burst 20. */
  rateLimit?: { perSecond: number; burst?: number } | false;
  /** `'stepmark-only'`: the handler's context keeps only stepmark's baggage entries. Default `'all'`. */
  forwardBaggage?: 'stepmark-only' | 'all';
  /** Options of the recorded message (maxEvents, traceMeta, redactKeys ...). */
  tracerOptions?: StepmarkOptions;
}

/** Messages are never triggered, only flagged by their producer's baggage. */
function never(): boolean {
  return false;
}

/**
 * The HTTP side's decision for upstream baggage, applied to messages: the same `RequestGate`
 * (signature check before the rate limit, its own token bucket, the same counters), with no
 * trigger. Create one per consumer to give it options; `withMessageContext` shares a default.
 * @example const gate = new MessageGate({ signedFlagsOnly: true }); withMessageContext(h, fn, { gate })
 */
export class MessageGate {
  readonly #gate: RequestGate<MessageGate>;

  /** Throws a `TypeError`/`RangeError` naming a wrong option, as the HTTP middleware does. */
  constructor(options: MessageGateOptions = {}) {
    const signed = options.signedFlagsOnly ?? flagSignerOf(options.flagKey) !== undefined;
    this.#gate = new RequestGate<MessageGate>({
      trigger: never,
      // RequestGate checks signatures only with `authorize`; nothing is ever authorized here.
      ...(signed ? { authorize: never } : {}),
      ...(options.flagKey !== undefined ? { flagKey: options.flagKey } : {}),
      ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
      ...(options.forwardBaggage !== undefined ? { forwardBaggage: options.forwardBaggage } : {}),
      ...(options.tracerOptions !== undefined ? { tracerOptions: options.tracerOptions } : {}),
    });
  }

  /**
   * Decides in the active context (the consumer span active, the message's baggage in it);
   * undefined: run unrecorded. `head` carries the message's trace headers, decoded.
   */
  open(
    head: RequestHead,
    spanName: string,
    attributes: Record<string, string>,
  ): TracedRequest | undefined {
    return this.#gate.open(this, head, spanName, attributes);
  }
}

let shared: MessageGate | undefined;

/** The gate `withMessageContext` uses without a `gate` option (created on first use). */
export function defaultMessageGate(): MessageGate {
  return (shared ??= new MessageGate());
}
