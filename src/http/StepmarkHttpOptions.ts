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
  /** Who may trigger and read (gets the request and its head). A triggered request it refuses runs untraced. Default: everyone may trigger, nobody may read. */
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
  /** Trace requests whose W3C baggage carries `stepmark=1` from upstream. Default true. */
  honorBaggage?: boolean;
  /** Errors of the handler wrapped by `withStepmark`. Default: console.error. */
  onError?: (error: unknown, req: R) => void;
}
