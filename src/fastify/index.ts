// stepmark-otel/fastify: stepmark as a Fastify plugin.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, type Context } from '@opentelemetry/api';
import { enable } from '../core/enable.js';
import { RequestGate } from '../http/RequestGate.js';
import type { StepmarkHttpOptions } from '../http/StepmarkHttpOptions.js';
import { traceNodeRequest } from '../http/traceNodeRequest.js';

/** The parts of a Fastify request the adapter reads (Fastify 4 and 5). */
export interface FastifyRequestLike {
  raw: IncomingMessage;
  headers: IncomingMessage['headers'];
  url: string;
  method: string;
  routeOptions?: { url?: string | undefined };
}

/** A Fastify instance, as far as the plugin's signature goes (Fastify's `addHook` is overloaded). */
export interface FastifyInstanceLike {
  addHook: (...args: never[]) => unknown;
}

type AddOnRequestHook = (
  name: 'onRequest',
  hook: (request: never, reply: { raw: ServerResponse }, done: () => void) => void,
) => unknown;

/** A Fastify plugin function, marked to apply to the whole app (as `fastify-plugin` does). */
export type StepmarkFastifyPlugin = ((
  instance: FastifyInstanceLike,
  options: unknown,
  done: (error?: Error) => void,
) => void) & { [key: symbol]: unknown };

/** `@fastify/otel` keeps each request's context here; its route and hook spans start from it. */
const FASTIFY_OTEL_CONTEXT = 'fastify otel request context';

/**
 * With `@fastify/otel` registered first, its handlers run in the context it stored on the
 * request, not the active one: enable that stored context too, so they record.
 */
function enableFastifyOtelContext(request: object, options: StepmarkHttpOptions<never>): void {
  const key = Object.getOwnPropertySymbols(request).find(
    (s) => s.description === FASTIFY_OTEL_CONTEXT,
  );
  if (key === undefined) return;
  const record = request as Record<symbol, Context | null | undefined>;
  const stored = record[key];
  if (stored != null) record[key] = enable(options.tracerOptions, stored);
}

/**
 * Fastify plugin: turns stepmark on for triggered requests (and for upstream baggage
 * `stepmark=1`); `trigger`, `authorize` and `onFinish` get the Fastify `request`. With
 * `@opentelemetry/instrumentation-http` or `@fastify/otel` (register it before this plugin) it
 * records on their spans; without them it starts the server span itself, named by route.
 * @example await app.register(stepmarkPlugin({ trigger: headerTrigger('X-Stepmark'), authorize: tokenAuthorizer() }))
 */
export function stepmarkPlugin<R extends FastifyRequestLike = FastifyRequestLike>(
  options: StepmarkHttpOptions<R> = {},
): StepmarkFastifyPlugin {
  const gate = new RequestGate(options);
  function stepmarkFastify(
    instance: FastifyInstanceLike,
    _opts: unknown,
    done: (error?: Error) => void,
  ): void {
    const addHook = instance.addHook as unknown as AddOnRequestHook;
    addHook.call(instance, 'onRequest', function stepmarkOnRequest(request: R, reply, hookDone) {
      const traced = gate.open(request, request);
      if (traced === undefined) return hookDone();
      enableFastifyOtelContext(request, options as StepmarkHttpOptions<never>);
      traceNodeRequest(
        traced,
        request.raw,
        reply.raw,
        options.responseHeader,
        () => request.routeOptions?.url,
      );
      context.with(traced.ctx, hookDone);
    } as (request: never, reply: { raw: ServerResponse }, done: () => void) => void);
    done();
  }
  return Object.assign(stepmarkFastify, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'stepmark-otel',
  });
}

export type { StepmarkHttpOptions };
