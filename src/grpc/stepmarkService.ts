import { tracedCallOf } from './TracedCall.js';

/** A grpc-js handler: `(call, callback)` for unary and client-streaming, `(call)` for the rest. */
type Handler = (this: unknown, call: HandlerCall, ...rest: unknown[]) => unknown;

interface HandlerCall {
  metadata?: unknown;
  emit?(event: 'error', error: unknown): boolean;
}

/** gRPC status UNKNOWN, which grpc-js sends for a handler that throws. */
const UNKNOWN = 2;

/** The function-valued properties of `implementation`, its class's methods included. */
function methodNames(implementation: object): string[] {
  const names = new Set<string>();
  for (
    let o: object | null = implementation;
    o !== null && o !== Object.prototype;
    o = Object.getPrototypeOf(o) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(o)) {
      const value = (implementation as Record<string, unknown>)[name];
      if (name !== 'constructor' && typeof value === 'function') names.add(name);
    }
  }
  return [...names];
}

/**
 * What grpc-js sends for a handler that throws (UNKNOWN, and the message only when
 * GRPC_NODE_DEBUG_SEND_ERROR_DETAILS=true), as an error a callback or an `'error'` event takes;
 * its name and message stay the thrown error's, for the instrumentation's span.
 */
function thrownStatus(thrown: unknown): Error & { code: number; details: string } {
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  const details =
    process.env.GRPC_NODE_DEBUG_SEND_ERROR_DETAILS === 'true'
      ? `Server method handler threw error ${message}`
      : 'Unknown error';
  const error = Object.assign(new Error(message), { code: UNKNOWN, details });
  if (thrown instanceof Error) error.name = thrown.name;
  return error;
}

/**
 * Sends the status of a handler that threw through its callback (unary, client-streaming) or as
 * the call's `'error'` (streaming responses), as grpc-js would have: instrumentation-grpc ends its
 * span there, and only there (grpc-js's own catch bypasses it, leaving the span, and so the
 * request's trace, open until the processor's TTL).
 */
function sendThrown(call: HandlerCall, callback: unknown, thrown: unknown): void {
  const error = thrownStatus(thrown);
  if (typeof callback === 'function') (callback as (error: unknown) => void)(error);
  else if (typeof call.emit === 'function') call.emit('error', error);
  else throw thrown;
}

/**
 * A service implementation whose handlers run in the stepmark context of their call, as the
 * `stepmarkInterceptor` decided it: `server.addService(definition, stepmarkService(impl))`.
 * Needed with `@opentelemetry/instrumentation-grpc`, which calls each handler in a context of
 * its own making: stepmark then decides there and records on that instrumentation's server span.
 * Without it the interceptor's context reaches handlers anyway and this changes nothing. A
 * handler that throws gets the status grpc-js would send, through its callback or `'error'`
 * event. Calls the interceptor did not see run as they are.
 * @example server.addService(orders.Orders.service, stepmarkService({ getOrder, listOrders }))
 */
export function stepmarkService<T extends object>(implementation: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const name of methodNames(implementation)) {
    const handler = (implementation as Record<string, Handler>)[name] as Handler;
    wrapped[name] = function stepmarkHandler(call: HandlerCall, ...rest: unknown[]) {
      const traced = tracedCallOf(call?.metadata);
      if (traced === undefined) return handler.call(implementation, call, ...rest);
      try {
        return traced.handle(() => handler.call(implementation, call, ...rest));
      } catch (thrown) {
        sendThrown(call, rest[0], thrown);
        return undefined;
      }
    };
  }
  return wrapped as T;
}
