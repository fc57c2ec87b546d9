import { context, type Context } from '@opentelemetry/api';
import { reportInternalError } from '../core/registry.js';
import { propagationHeaders, type PropagationHeaders } from './propagationHeaders.js';

/** Headers as `fetch` takes them: a `Headers`, a record, or `[name, value]` pairs. */
type FetchHeaders = ConstructorParameters<typeof Headers>[0];

/** `headers` plus the propagation headers (theirs win: the caller's trace context stays). */
function mergeHeaders(headers: FetchHeaders | undefined, added: PropagationHeaders): Headers {
  const merged = new Headers(headers);
  for (const [name, value] of Object.entries(added)) {
    if (value !== undefined && !merged.has(name)) merged.set(name, value);
  }
  return merged;
}

/**
 * A `fetch` init carrying the W3C trace context of `ctx`, and baggage `stepmark=1` when the
 * request is traced (so that the service called records too). Keeps the init's own headers,
 * including a `traceparent` an instrumentation already set. Never throws.
 * @example await fetch(url, stepmark.withPropagation({ method: 'POST', body }))
 */
export function withPropagation<T extends { headers?: FetchHeaders }>(
  init?: T,
  ctx: Context = context.active(),
): T & { headers: Headers } {
  return propagate(init, undefined, ctx);
}

/** `init` with the propagation headers added to its own (or, without any, the request's). */
function propagate<T extends { headers?: FetchHeaders }>(
  init: T | undefined,
  request: Request | undefined,
  ctx: Context,
): T & { headers: Headers } {
  const base = (init ?? {}) as T;
  try {
    const own = base.headers ?? request?.headers;
    return { ...base, headers: mergeHeaders(own, propagationHeaders(ctx)) };
  } catch (error) {
    reportInternalError('withPropagation', error);
    return base as T & { headers: Headers }; // as given: never lose the caller's headers
  }
}

/**
 * `fetch` with the propagation headers of the active context (see `withPropagation`).
 * @example const response = await stepmark.fetchWithPropagation('http://inventory/reserve', { method: 'POST' })
 */
export function fetchWithPropagation(
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  // An init's `headers` replaces a Request's own: start from the Request's when init has none.
  const request = input instanceof Request ? input : undefined;
  return fetch(input, propagate(init, request, context.active()) as RequestInit);
}

/** An undici dispatch function (`Dispatcher['dispatch']`), as far as headers go. */
type DispatchLike<O extends { headers?: unknown }, H> = (options: O, handler: H) => boolean;

/** undici headers (a record, or a flat `[name, value, ...]` array) plus the propagation headers. */
function withUndiciHeaders(headers: unknown, added: PropagationHeaders): unknown {
  const entries = Object.entries(added).filter(([, v]) => v !== undefined) as [string, string][];
  if (entries.length === 0) return headers;
  if (Array.isArray(headers)) {
    const names = new Set(
      headers.filter((_, i) => i % 2 === 0).map((n) => String(n).toLowerCase()),
    );
    return [...headers, ...entries.filter(([n]) => !names.has(n)).flat()];
  }
  if (headers === undefined || headers === null) return Object.fromEntries(entries);
  if (typeof headers !== 'object' || Symbol.iterator in headers) return headers; // left as given
  const record = headers as Record<string, unknown>;
  const names = new Set(Object.keys(record).map((n) => n.toLowerCase()));
  return { ...record, ...Object.fromEntries(entries.filter(([n]) => !names.has(n))) };
}

/**
 * An undici interceptor adding the propagation headers to every request it dispatches, for
 * services without `@opentelemetry/instrumentation-undici`.
 * @example setGlobalDispatcher(new Agent().compose(stepmark.undiciPropagation())) // fetch too
 */
export function undiciPropagation(): <O extends { headers?: unknown }, H>(
  dispatch: DispatchLike<O, H>,
) => DispatchLike<O, H> {
  return function stepmarkUndiciInterceptor<O extends { headers?: unknown }, H>(
    dispatch: DispatchLike<O, H>,
  ): DispatchLike<O, H> {
    return function stepmarkDispatch(options, handler) {
      let headers = options.headers;
      try {
        headers = withUndiciHeaders(options.headers, propagationHeaders());
      } catch (error) {
        reportInternalError('undiciPropagation', error);
      }
      return dispatch({ ...options, headers }, handler);
    };
  };
}
