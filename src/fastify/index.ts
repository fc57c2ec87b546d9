// stepmark-otel/fastify: stepmark as a Fastify plugin.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, type Context } from '@opentelemetry/api';
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

/** The context `@fastify/otel` (registered first) stored on the request, and where. */
function fastifyOtelContext(request: object): { key: symbol; ctx: Context } | undefined {
  // Only @fastify/otel decorates requests with `opentelemetry()`: no symbol scan without it.
  if (typeof (request as { opentelemetry?: unknown }).opentelemetry !== 'function')
    return undefined;
  const key = Object.getOwnPropertySymbols(request).find(
    (s) => s.description === FASTIFY_OTEL_CONTEXT,
  );
  const ctx = key === undefined ? undefined : (request as Record<symbol, unknown>)[key];
  return key !== undefined && ctx != null ? { key, ctx: ctx as Context } : undefined;
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
      // With @fastify/otel, its handlers run in the context it stored, not the active one (its
      // hook span): enable on its request span and store the enabled context back.
      const stored = fastifyOtelContext(request);
      const traced =
        stored === undefined
          ? gate.open(request, request)
          : context.with(stored.ctx, () => gate.open(request, request));
      if (traced === undefined) return hookDone();
      if (stored !== undefined) (request as Record<symbol, unknown>)[stored.key] = traced.ctx;
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
