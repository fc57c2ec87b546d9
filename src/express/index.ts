// stepmark-otel/express: the HTTP middleware, typed for Express and naming spans by route.
import type { IncomingMessage } from 'node:http';
import { middleware, type StepmarkMiddleware } from '../http/middleware.js';
import type { StepmarkHttpOptions } from '../http/StepmarkHttpOptions.js';

/** The parts of an Express request the adapter reads (Express 4 and 5). */
export interface ExpressRequestLike extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/** The matched route (`/orders/:id`), once Express has routed the request. */
function expressRoute(req: ExpressRequestLike): string | undefined {
  const path = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : undefined;
}

/**
 * Express middleware: turns stepmark on for triggered requests (and for upstream baggage
 * `stepmark=1`). With `@opentelemetry/instrumentation-http`/`-express` it records on their
 * server span; without them it starts one, named `GET /orders/:id` once routed.
 * @example app.use(stepmark({ trigger: headerTrigger('X-Stepmark'), authorize: tokenAuthorizer(), responseHeader: 'X-Stepmark-Trace' }))
 */
export function stepmark<R extends ExpressRequestLike = ExpressRequestLike>(
  options: StepmarkHttpOptions<R> = {},
): StepmarkMiddleware<R> {
  return middleware(options, expressRoute);
}

export type { StepmarkHttpOptions };
