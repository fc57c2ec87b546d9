import type { IncomingMessage } from 'node:http';
import {
  booleanOption,
  checkStepmarkOptions,
  describeValue,
  functionOption,
  integerOption,
  nameOption,
  oneOfOption,
  urlOption,
  optionsObject,
  POSITIVE,
  rangeError,
  typeError,
  undisclosedString,
  warnLikelyTypos,
} from '../core/checkOptions.js';
import type { StepmarkOptions } from '../core/options.js';
import type { Trace } from '../types.js';
import type { RequestHead } from './RequestHead.js';
import type { Trigger } from './triggers.js';

/**
 * Options of the HTTP middleware and of every framework adapter; `R` is the framework's request
 * (`IncomingMessage`, Express `req`, Koa `ctx`, Fastify `request` ...). The safe set-up: a
 * trigger, `authorize` (e.g. `tokenAuthorizer()`), and a response header only for authorized
 * requests. Checked when the middleware (or adapter) is created: a wrong option throws a
 * `TypeError` (wrong type) or `RangeError` (number out of range) naming it, `tracerOptions`
 * included; `undefined` means the default.
 * @example { trigger: headerTrigger('X-Stepmark'), authorize: tokenAuthorizer(), responseHeader: 'X-Stepmark-Trace' }
 */
export interface StepmarkHttpOptions<R = IncomingMessage> {
  /** Which requests ask for tracing: a function, e.g. `headerTrigger('X-Stepmark')` (not the header name itself). Default: header `X-Stepmark: true`. */
  trigger?: Trigger<R>;
  /**
   * Who may trigger and read (a function that gets the request and its head, e.g.
   * `tokenAuthorizer()`; not the token itself). A triggered request it refuses runs
   * untraced. With a `flagKey` too, upstream baggage `stepmark=1` counts only when signed for the
   * request's trace (see `flagKey`). Default: everyone may trigger, nobody may read.
   */
  authorize?: (req: R, head: RequestHead) => boolean;
  /** Name of the response header carrying the trace JSON (a valid header name); off unless set. Sent only to authorized requests. */
  responseHeader?: string;
  /** Send the response header without an `authorize` (to anyone who triggers). Default false. */
  responseHeaderWithoutAuthorization?: boolean;
  /** Size cap of the response header in bytes, a whole number >= 1 (0 is refused: leave `responseHeader` unset for none); over it, a marker with the trace id. Default 8,192. */
  maxHeaderBytes?: number;
  /** Called with the trace of each traced request once its response is done (or aborted). */
  onFinish?: (trace: Trace, req: R) => void;
  /** Options of the traced request (maxEvents, traceMeta, entityFilter, redactKeys ...). */
  tracerOptions?: StepmarkOptions;
  /**
   * Triggered requests traced per second, per process (token bucket): `perSecond` a number >= 0
   * (0 = no refill: `burst` requests in all), `burst` a whole number >= 1 (default twice
   * `perSecond`); `false` for no limit. Default 10/s, burst 20.
   */
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
  /**
   * Where people open Jaeger's UI (`http://jaeger.internal:16686`): the response header's JSON
   * then carries `jaeger_url`, a direct link to the trace (`<jaegerUrl>/trace/<trace id>`), also
   * when the trace itself is over `maxHeaderBytes`. Off unless set.
   */
  jaegerUrl?: string;
  /** Errors of the handler wrapped by `withStepmark`. Default: console.error. */
  onError?: (error: unknown, req: R) => void;
}

/** The option names of the HTTP middleware, for spotting likely typos of them. */
const HTTP_OPTION_NAMES: readonly (keyof StepmarkHttpOptions)[] = [
  'trigger',
  'authorize',
  'responseHeader',
  'responseHeaderWithoutAuthorization',
  'maxHeaderBytes',
  'onFinish',
  'tracerOptions',
  'rateLimit',
  'honorBaggage',
  'flagKey',
  'forwardBaggage',
  'jaegerUrl',
  'onError',
];

/** The `rateLimit` option: `false`, `{ perSecond, burst? }`, or undefined. */
function rateLimitOption(value: unknown): StepmarkHttpOptions['rateLimit'] {
  if (value === undefined || value === false) return value;
  const expects = 'false or { perSecond, burst? }';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw typeError('rateLimit', expects, value, 'use false for no limit');
  }
  const limit = value as { perSecond?: unknown; burst?: unknown };
  const perSecond = limit.perSecond;
  const burst = limit.burst;
  const perSecondExpects = 'a number >= 0 (0 = no refill)';
  if (typeof perSecond !== 'number')
    throw typeError('rateLimit.perSecond', perSecondExpects, perSecond);
  if (!Number.isFinite(perSecond) || perSecond < 0) {
    throw rangeError(
      'rateLimit.perSecond',
      perSecondExpects,
      perSecond,
      'use rateLimit: false for no limit',
    );
  }
  const checkedBurst = integerOption('rateLimit.burst', burst, POSITIVE);
  return checkedBurst === undefined ? { perSecond } : { perSecond, burst: checkedBurst };
}

/**
 * Checks the options of the HTTP middleware or an adapter where they are given and returns what
 * was read, each option once (a getter may answer differently the second time). Throws a
 * `TypeError`/`RangeError` naming a wrong one; a callback given as a string says what to write.
 * `flagKey` is passed on as read: `flagSignerOf` checks it.
 * @example const checked = checkHttpOptions(options); // in RequestGate's constructor
 */
export function checkHttpOptions<R>(options: unknown): StepmarkHttpOptions<R> {
  const o = optionsObject<Record<string, unknown>>('the HTTP middleware', options) ?? {};
  const callback = '(req, head) => boolean';
  const checked: { [K in keyof StepmarkHttpOptions<R>]: StepmarkHttpOptions<R>[K] | undefined } = {
    trigger: functionOption(
      'trigger',
      o.trigger,
      callback,
      (given) =>
        `use headerTrigger(${describeValue(given)}) or queryTrigger(...) from 'stepmark-otel/http'`,
    ),
    authorize: functionOption(
      'authorize',
      undisclosedString(o.authorize),
      callback,
      () =>
        "use tokenAuthorizer() from 'stepmark-otel/http', which compares the x-stepmark-token header with the secret in STEPMARK_TOKEN",
    ),
    responseHeader: nameOption(
      'responseHeader',
      o.responseHeader,
      "an HTTP header name such as 'X-Stepmark-Trace'",
    ),
    responseHeaderWithoutAuthorization: booleanOption(
      'responseHeaderWithoutAuthorization',
      o.responseHeaderWithoutAuthorization,
    ),
    maxHeaderBytes: integerOption('maxHeaderBytes', o.maxHeaderBytes, POSITIVE),
    onFinish: functionOption(
      'onFinish',
      o.onFinish,
      '(trace, req) => void',
      () => 'use (trace) => console.log(JSON.stringify(trace))',
    ),
    tracerOptions: checkStepmarkOptions(o.tracerOptions, 'tracerOptions'),
    rateLimit: rateLimitOption(o.rateLimit),
    honorBaggage: booleanOption('honorBaggage', o.honorBaggage),
    flagKey: o.flagKey as StepmarkHttpOptions['flagKey'],
    forwardBaggage: oneOfOption('forwardBaggage', o.forwardBaggage, [
      'all',
      'stepmark-only',
    ] as const),
    jaegerUrl: urlOption('jaegerUrl', o.jaegerUrl, "the http(s) URL of Jaeger's UI"),
    onError: functionOption('onError', o.onError, '(error, req) => void'),
  };
  warnLikelyTypos('the options of the HTTP middleware', o, HTTP_OPTION_NAMES);
  // Only the options given: `exactOptionalPropertyTypes` keeps "absent" and "undefined" apart.
  return Object.fromEntries(
    Object.entries(checked).filter(([, value]) => value !== undefined),
  ) as StepmarkHttpOptions<R>;
}
