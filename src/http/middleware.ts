import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { isThenable } from '../core/isThenable.js';
import { RequestGate } from './RequestGate.js';
import { safely } from './safely.js';
import type { StepmarkHttpOptions } from './StepmarkHttpOptions.js';
import { traceNodeRequest } from './traceNodeRequest.js';

/** Connect-style middleware: `(req, res, next)`. */
export type StepmarkMiddleware<R extends IncomingMessage = IncomingMessage> = (
  req: R,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Turns stepmark on for requests that ask for it, from the edge or from upstream baggage.
 * Records on the active server span (an instrumentation's) or starts one itself; never a second.
 * `route` reads the matched route at the end of the request, to name stepmark's own span.
 * @example app.use(middleware({ trigger: headerTrigger('X-Stepmark'), authorize: tokenAuthorizer() }))
 */
export function middleware<R extends IncomingMessage = IncomingMessage>(
  options: StepmarkHttpOptions<R> = {},
  route?: (req: R) => string | undefined,
): StepmarkMiddleware<R> {
  const gate = new RequestGate(options);
  return function stepmarkMiddleware(req, res, next) {
    const traced = gate.open(req, req);
    if (traced === undefined) return next();
    traceNodeRequest(
      traced,
      req,
      res,
      options.responseHeader,
      route === undefined ? undefined : () => route(req),
    );
    context.with(traced.ctx, next);
  };
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
