// stepmark-otel/hono: stepmark as a Hono middleware (Node.js: @hono/node-server or app.request).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { RequestGate } from '../http/RequestGate.js';
import type { RequestHead } from '../http/RequestHead.js';
import { safely } from '../http/safely.js';
import type { StepmarkHttpOptions } from '../http/StepmarkHttpOptions.js';
import { traceNodeRequest } from '../http/traceNodeRequest.js';

/** The parts of a Hono context the adapter reads (Hono 4). */
export interface HonoContextLike {
  req: { raw: Request; url: string; method: string; readonly routePath?: string };
  res: Response;
  /** `{ incoming, outgoing }` when served by `@hono/node-server`. */
  env: unknown;
  error?: Error | undefined;
  header(name: string, value: string): void;
}

/** Node's request and response, when `@hono/node-server` serves the app. */
function nodeBindings(
  env: unknown,
): { incoming: IncomingMessage; outgoing: ServerResponse } | undefined {
  const bindings = env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
  return bindings?.incoming?.headers !== undefined && bindings.outgoing?.writeHead !== undefined
    ? { incoming: bindings.incoming, outgoing: bindings.outgoing }
    : undefined;
}

/** The head of a Fetch request: its `Headers` as they are, and the path and query of its URL. */
function fetchHead(req: HonoContextLike['req']): RequestHead {
  const url = req.url;
  const path = url.indexOf('/', url.indexOf('//') + 2);
  return { headers: req.raw.headers, url: path < 0 ? '/' : url.slice(path), method: req.method };
}

/** The matched route (`/orders/:id`), once Hono has routed the request. */
function honoRoute(c: HonoContextLike): string | undefined {
  const path = c.req.routePath;
  return path && path !== '*' && path !== '/*' ? path : undefined;
}

/**
 * Hono middleware: turns stepmark on for triggered requests (and for upstream baggage
 * `stepmark=1`); `trigger`, `authorize` and `onFinish` get the Hono context. With `@hono/otel`
 * (use it before this) or `@opentelemetry/instrumentation-http` it records on their server
 * span; without them it starts one. On `@hono/node-server` the trace is finished when the
 * response is sent (streams included); under `app.request` when the handler returns.
 * @example app.use(stepmark({ trigger: headerTrigger('X-Stepmark'), authorize: tokenAuthorizer(), responseHeader: 'X-Stepmark-Trace' }))
 */
export function stepmark<C extends HonoContextLike = HonoContextLike>(
  options: StepmarkHttpOptions<C> = {},
): (c: C, next: () => Promise<void>) => Promise<void> {
  const gate = new RequestGate(options);
  const header = options.responseHeader;
  return async function stepmarkHono(c, next) {
    const node = nodeBindings(c.env);
    const traced = gate.open(c, node?.incoming ?? fetchHead(c.req));
    if (traced === undefined) return next();
    if (node !== undefined) {
      traceNodeRequest(traced, node.incoming, node.outgoing, header, () => honoRoute(c));
      return context.with(traced.ctx, next);
    }
    try {
      await context.with(traced.ctx, next);
    } finally {
      const value = header !== undefined ? traced.headerValue() : undefined;
      if (value !== undefined)
        safely('responseHeader', () => c.header(header as string, value), undefined);
      traced.finish({
        attributes: { 'http.response.status_code': c.res.status },
        error: c.error !== undefined || c.res.status >= 500,
        route: safely('route', () => honoRoute(c), undefined),
      });
    }
  };
}

export type { StepmarkHttpOptions };
