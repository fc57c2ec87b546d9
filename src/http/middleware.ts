import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { collect } from '../core/collect.js';
import { enable } from '../core/enable.js';
import { isThenable } from '../core/isThenable.js';
import type { StepmarkOptions } from '../core/options.js';
import { reportInternalError } from '../core/registry.js';
import { BAGGAGE_KEY, hasStepmarkBaggage } from '../propagation/baggage.js';
import { extractW3C, parseBaggage } from '../propagation/w3c.js';
import type { Trace } from '../types.js';
import { TokenBucket } from './TokenBucket.js';
import { DEFAULT_MAX_HEADER_BYTES, traceHeaderValue } from './traceHeader.js';
import { headerTrigger, type Trigger } from './triggers.js';

/**
 * Options of `middleware` and `withStepmark`. The safe set-up: a trigger, `authorize` (e.g.
 * `tokenAuthorizer()`), and a response header only for authorized requests.
 * @example middleware({ trigger: headerTrigger('X-Stepmark'), authorize: tokenAuthorizer(), responseHeader: 'X-Stepmark-Trace' })
 */
export interface StepmarkHttpOptions {
  /** Which requests ask for tracing. Default: header `X-Stepmark: true`. */
  trigger?: Trigger;
  /** Who may trigger and read. A triggered request it refuses runs untraced. Default: everyone may trigger, nobody may read. */
  authorize?: (req: IncomingMessage) => boolean;
  /** Name of the response header carrying the trace JSON; off unless set. Sent only to authorized requests. */
  responseHeader?: string;
  /** Send the response header without an `authorize` (to anyone who triggers). Default false. */
  responseHeaderWithoutAuthorization?: boolean;
  /** Size cap of the response header in bytes; over it, a marker with the trace id. Default 8,192. */
  maxHeaderBytes?: number;
  /** Called with the trace of each traced request once its response is done (or aborted). */
  onFinish?: (trace: Trace, req: IncomingMessage) => void;
  /** Options of the traced request (maxEvents, traceMeta, entityFilter, redactKeys ...). */
  tracerOptions?: StepmarkOptions;
  /** Triggered requests traced per second, per process (token bucket); `false` for no limit. Default 10/s, burst 20. */
  rateLimit?: { perSecond: number; burst?: number } | false;
  /** Trace requests whose W3C baggage carries `stepmark=1` from upstream. Default true. */
  honorBaggage?: boolean;
  /** Errors of the handler wrapped by `withStepmark`. Default: console.error. */
  onError?: (error: unknown, req: IncomingMessage) => void;
}

/** Connect-style middleware: `(req, res, next)`. */
export type StepmarkMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

const TRACER = 'stepmark-otel/http';

/** Whether the request's own `baggage` header carries `stepmark=1` (when no instrumentation extracted it). */
function baggageHeaderOn(req: IncomingMessage): boolean {
  const header = req.headers.baggage;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value === undefined || !value.includes(BAGGAGE_KEY)) return false;
  return parseBaggage(value)?.getEntry(BAGGAGE_KEY)?.value === '1';
}

function safely<T>(where: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (error) {
    reportInternalError(where, error);
    return fallback;
  }
}

/**
 * Turns stepmark on for requests that ask for it, from the edge or from upstream baggage.
 * Records on the active server span (an instrumentation's) or starts one itself; never a second.
 * @example app.use(middleware({ trigger: headerTrigger('X-Stepmark'), authorize: tokenAuthorizer() }))
 */
export function middleware(options: StepmarkHttpOptions = {}): StepmarkMiddleware {
  const trigger = options.trigger ?? headerTrigger('x-stepmark');
  const bucket =
    options.rateLimit === false
      ? undefined
      : new TokenBucket(options.rateLimit ?? { perSecond: 10, burst: 20 });
  const honorBaggage = options.honorBaggage !== false;
  const maxHeader = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  return function stepmarkMiddleware(req, res, next) {
    // Untriggered requests: one trigger call and a baggage check, then straight on.
    const explicit = safely('trigger', () => trigger(req), false);
    const viaBaggage =
      !explicit &&
      honorBaggage &&
      safely('baggage', () => hasStepmarkBaggage(context.active()) || baggageHeaderOn(req), false);
    if (!explicit && !viaBaggage) return next();
    const authorized =
      options.authorize !== undefined
        ? safely('authorize', () => options.authorize?.(req) === true, false)
        : false;
    if (explicit && options.authorize !== undefined && !authorized) return next();
    if (bucket !== undefined && !bucket.take()) return next();
    const expose =
      options.responseHeader !== undefined &&
      explicit &&
      (authorized ||
        (options.authorize === undefined && options.responseHeaderWithoutAuthorization === true));
    let ctx: Context;
    let started: Span | undefined;
    try {
      const parent = context.active();
      const active = trace.getSpan(parent);
      if (active?.isRecording() === true) {
        ctx = enable(options.tracerOptions, parent); // an instrumentation's server span: record on it
      } else {
        const remote = extractW3C(parent, req.headers);
        const enabled = enable(options.tracerOptions, remote);
        started = trace.getTracer(TRACER).startSpan(
          req.method ?? 'HTTP',
          {
            kind: SpanKind.SERVER,
            attributes: {
              'http.request.method': req.method ?? '',
              'url.path': (req.url ?? '').split('?')[0] ?? '',
            },
          },
          enabled,
        );
        ctx = trace.setSpan(enabled, started);
      }
    } catch (error) {
      reportInternalError('middleware', error);
      return next();
    }
    if (expose) exposeTrace(res, ctx, options.responseHeader as string, maxHeader);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const snapshot = safely('collect', () => context.with(ctx, collect), undefined);
      if (started !== undefined) {
        started.setAttribute('http.response.status_code', res.statusCode);
        if (!res.writableFinished) started.setAttribute('http.aborted', true);
        if (res.statusCode >= 500) started.setStatus({ code: SpanStatusCode.ERROR });
        started.end();
      }
      if (snapshot !== undefined && options.onFinish !== undefined) {
        const onFinish = options.onFinish;
        safely('onFinish', () => onFinish(snapshot, req), undefined);
      }
    };
    res.once('finish', finish);
    res.once('close', finish);
    context.with(ctx, next);
  };
}

/** Sets the trace header just before the response headers go out (if they have not already). */
function exposeTrace(res: ServerResponse, ctx: Context, name: string, maxBytes: number): void {
  const writeHead = res.writeHead;
  res.writeHead = function stepmarkWriteHead(this: ServerResponse, ...args: unknown[]) {
    if (!this.headersSent) {
      const snapshot = safely('responseHeader', () => context.with(ctx, collect), undefined);
      if (snapshot !== undefined)
        safely(
          'responseHeader',
          () => this.setHeader(name, traceHeaderValue(snapshot, maxBytes)),
          undefined,
        );
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof res.writeHead;
}

/**
 * A `node:http` request handler with stepmark in front. A handler that throws or rejects gets
 * its span marked as an error, a 500 when nothing was sent yet, and `onError`: the server keeps
 * serving.
 * @example http.createServer(withStepmark(handler, { trigger: queryTrigger('stepmark') }))
 */
export function withStepmark(
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
  options: StepmarkHttpOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const mw = middleware(options);
  const report =
    options.onError ?? ((error: unknown) => console.error('stepmark-otel: handler failed', error));
  return function stepmarkHandler(req, res) {
    const fail = (error: unknown) => {
      const span = trace.getActiveSpan();
      span?.recordException(error instanceof Error ? error : String(error));
      span?.setStatus({ code: SpanStatusCode.ERROR });
      safely('onError', () => report(error, req), undefined);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else if (!res.writableEnded) {
        res.end();
      }
    };
    mw(req, res, () => {
      try {
        const result = handler(req, res);
        if (isThenable(result)) {
          const bound = context.bind(context.active(), fail);
          result.then(undefined, bound);
        }
      } catch (error) {
        fail(error);
      }
    });
  };
}
