// stepmark-otel/koa: stepmark as a Koa middleware.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { RequestGate } from '../http/RequestGate.js';
import type { StepmarkHttpOptions } from '../http/StepmarkHttpOptions.js';
import { traceNodeRequest } from '../http/traceNodeRequest.js';

/** The parts of a Koa context the adapter reads (Koa 2 and 3). */
export interface KoaContextLike {
  req: IncomingMessage;
  res: ServerResponse;
  /** Set by `@koa/router` once a route matched. */
  _matchedRoute?: string | RegExp | undefined;
}

/**
 * Koa middleware: turns stepmark on for triggered requests (and for upstream baggage
 * `stepmark=1`); `trigger`, `authorize` and `onFinish` get the Koa `ctx`. With
 * `@opentelemetry/instrumentation-http`/`-koa` it records on their spans; without them it
 * starts the server span itself, named by its `@koa/router` route. Use it first.
 * @example app.use(stepmark({ trigger: headerTrigger('X-Stepmark'), authorize: tokenAuthorizer(), responseHeader: 'X-Stepmark-Trace' }))
 */
export function stepmark<C extends KoaContextLike = KoaContextLike>(
  options: StepmarkHttpOptions<C> = {},
): (ctx: C, next: () => Promise<unknown>) => Promise<unknown> {
  const gate = new RequestGate(options);
  return function stepmarkKoa(ctx, next) {
    const traced = gate.open(ctx, ctx.req);
    if (traced === undefined) return next();
    traceNodeRequest(traced, ctx.req, ctx.res, options.responseHeader, () =>
      typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : undefined,
    );
    return context.with(traced.ctx, next);
  };
}

export type { StepmarkHttpOptions };
