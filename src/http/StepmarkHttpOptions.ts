import type { IncomingMessage } from 'node:http';
import type { StepmarkOptions } from '../core/options.js';
import type { Trace } from '../types.js';
import type { RequestHead } from './RequestHead.js';
import type { Trigger } from './triggers.js';

/**
 * Options of the HTTP middleware and of every framework adapter; `R` is the framework's request
 * (`IncomingMessage`, Express `req`, Koa `ctx`, Fastify `request` ...). The safe set-up: a
 * trigger, `authorize` (e.g. `tokenAuthorizer()`), and a response header only for authorized
 * requests.
 * @example { trigger: headerTrigger('X-Stepmark'), authorize: tokenAuthorizer(), responseHeader: 'X-Stepmark-Trace' }
 */
export interface StepmarkHttpOptions<R = IncomingMessage> {
  /** Which requests ask for tracing. Default: header `X-Stepmark: true`. */
  trigger?: Trigger<R>;
  /**
   * Who may trigger and read (gets the request and its head). A triggered request it refuses runs
   * untraced. With a `flagKey` too, upstream baggage `stepmark=1` counts only when signed for the
   * request's trace (see `flagKey`). Default: everyone may trigger, nobody may read.
   */
  authorize?: (req: R, head: RequestHead) => boolean;
  /** Name of the response header carrying the trace JSON; off unless set. Sent only to authorized requests. */
  responseHeader?: string;
  /** Send the response header without an `authorize` (to anyone who triggers). Default false. */
  responseHeaderWithoutAuthorization?: boolean;
  /** Size cap of the response header in bytes; over it, a marker with the trace id. Default 8,192. */
  maxHeaderBytes?: number;
  /** Called with the trace of each traced request once its response is done (or aborted). */
  onFinish?: (trace: Trace, req: R) => void;
  /** Options of the traced request (maxEvents, traceMeta, entityFilter, redactKeys ...). */
  tracerOptions?: StepmarkOptions;
  /** Triggered requests traced per second, per process (token bucket); `false` for no limit. Default 10/s, burst 20. */
  rateLimit?: { perSecond: number; burst?: number } | false;
  /**
   * Trace requests whose W3C baggage carries `stepmark=1` from upstream (never exposed to the
   * caller; rate-limited on a bucket of their own). With `authorize` and a `flagKey`, only a flag
   * signed for the request's trace id counts. Default true.
   */
  honorBaggage?: boolean;
  /**
   * The secret that signs and checks the baggage flag, shared by the services of one system:
   * a request that `authorize` accepted and a trigger turned on carries, beside `stepmark=1`,
   * `stepmark.sig` = base64url of the first 16 bytes of HMAC-SHA256(key,
   * `stepmark-otel/flag/v1:` + trace id); downstream services forward it as it is. A service
   * with `authorize` and a key honours upstream baggage only with a valid signature for the
   * request's own trace id (its `traceparent`): unsigned, forged and replayed flags run untraced
   * and are counted in `stats().refusedBaggageFlags`. With `authorize` and no key, any caller's
   * baggage `stepmark=1` turns recording on, bounded only by the rate limit. Without `authorize`,
   * upstream baggage is honoured as it is and nothing is signed (anyone may trigger there).
   * `false`: no key, whatever the environment says. Default: the environment variable
   * `STEPMARK_FLAG_KEY`, else `STEPMARK_TOKEN` (the `tokenAuthorizer` secret), read once when
   * the middleware is created; none when both are unset.
   * @example { authorize: tokenAuthorizer(), flagKey: process.env.FLAG_SECRET }
   */
  flagKey?: string | Uint8Array | false;
  /**
   * Which baggage a traced request runs with, hence what OpenTelemetry propagates downstream:
   * `'all'` keeps every entry the caller sent (OpenTelemetry's usual behaviour); `'stepmark-only'`
   * keeps only `stepmark=1` and `stepmark.sig`, so that a caller's entries (`user.role=admin`)
   * neither reach the handler's context nor the services it calls. Untraced requests are left
   * as they came. Default `'all'`.
   * @example { authorize: tokenAuthorizer(), forwardBaggage: 'stepmark-only' }
   */
  forwardBaggage?: 'stepmark-only' | 'all';
  /** Errors of the handler wrapped by `withStepmark`. Default: console.error. */
  onError?: (error: unknown, req: R) => void;
}
