import { context } from '@opentelemetry/api';
import type { TracedRequest } from '../http/RequestGate.js';
import { safely } from '../http/safely.js';
import type { GrpcMetadataLike, GrpcStatusLike } from './GrpcLike.js';

/**
 * gRPC status CANCELLED, recorded for a call that ended without a status passing the interceptor:
 * the client went away, or grpc-js ended it itself (deadline, undecodable message).
 */
export const CANCELLED = 1;

/**
 * Codes that make a server span an error under the RPC semantic conventions (UNKNOWN,
 * DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS); the others, like an HTTP
 * 4xx, are the caller's problem.
 */
const SERVER_ERRORS = new Set([2, 4, 12, 13, 14, 15]);

/** Calls in progress by their request metadata object, which the handler gets as `call.metadata`. */
const calls = new WeakMap<object, TracedCall>();

/** The call the stepmark interceptor saw with this request metadata, if any. */
export function tracedCallOf(metadata: unknown): TracedCall | undefined {
  return typeof metadata === 'object' && metadata !== null ? calls.get(metadata) : undefined;
}

/**
 * One call as the interceptor tracks it: whether it is traced (decided once, by `open`), the
 * context its events and handler run in, its trailer and its end. Found again by the handler
 * wrapper (`stepmarkService`) through the request metadata.
 */
export class TracedCall {
  #open: (() => TracedRequest | undefined) | undefined;
  #traced: TracedRequest | undefined = undefined;
  /** Whether `stepmarkService` ran the handler. */
  handled = false;

  constructor(metadata: GrpcMetadataLike, open: () => TracedRequest | undefined) {
    this.#open = open;
    calls.set(metadata, this);
  }

  /** Whether the decision is still to be made (by the handler wrapper). */
  get pending(): boolean {
    return this.#open !== undefined;
  }

  /** Decides (trigger, baggage, authorize, rate limit) in the active context; once. */
  open(): void {
    const open = this.#open;
    if (open === undefined) return;
    this.#open = undefined;
    this.#traced = open();
  }

  /** Runs `fn` in the traced context, if the call is traced (and decided). */
  within<T>(fn: () => T): T {
    const traced = this.#traced;
    return traced === undefined ? fn() : context.with(traced.ctx, fn);
  }

  /** Runs the handler: decides first if still pending, in the handler's own context. */
  handle<T>(fn: () => T): T {
    this.handled = true;
    this.open();
    return this.within(fn);
  }

  /**
   * `status` with the trace added to a copy of its trailers, when the caller may read it (the
   * handler's own Metadata object may be reused across calls, so it is never changed).
   */
  withTrailer(
    status: GrpcStatusLike,
    key: string | undefined,
    createMetadata: () => GrpcMetadataLike,
  ): GrpcStatusLike {
    const traced = this.#traced;
    if (key === undefined || traced === undefined || !traced.expose) return status;
    const value = traced.headerValue();
    if (value === undefined) return status;
    return safely(
      'responseHeader',
      () => {
        const metadata = status.metadata?.clone() ?? createMetadata();
        metadata.set(key, value);
        return { ...status, metadata };
      },
      status,
    );
  }

  /** Ends the traced call with its status code (idempotent): stepmark's span, then `onFinish`. */
  finish(code: number): void {
    const traced = this.#traced;
    this.#open = undefined; // a call that ends before its handler ran stays untraced
    if (traced === undefined) return;
    traced.finish({
      attributes: { 'rpc.grpc.status_code': code },
      error: SERVER_ERRORS.has(code),
    });
  }
}
