import { diag } from '@opentelemetry/api';
import { typeError } from '../core/checkOptions.js';
import { RequestGate } from '../http/RequestGate.js';
import type { StepmarkHttpOptions } from '../http/StepmarkHttpOptions.js';
import { grpcHead, rpcSpan, type GrpcCall } from './GrpcCall.js';
import type {
  GrpcListenerLike,
  GrpcMetadataLike,
  GrpcModuleLike,
  GrpcResponderLike,
  GrpcServerInterceptor,
  GrpcStatusLike,
  ServerCallOf,
} from './GrpcLike.js';
import { CANCELLED, TracedCall } from './TracedCall.js';

/** gRPC status OK. */
const OK = 0;

/** Whether `fn` was wrapped by an OpenTelemetry instrumentation (its shimmer marks it so). */
function isWrapped(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as { __wrapped?: unknown }).__wrapped === true;
}

/**
 * A grpc-js server interceptor: turns stepmark on for triggered calls (metadata
 * `x-stepmark: true` by default) and for upstream baggage `stepmark=1`; `trigger`, `authorize`
 * and `onFinish` get a `GrpcCall`, and the metadata as headers. The trace goes back in the
 * trailer `responseHeader` (authorized callers only). Without an instrumentation it starts the
 * server span itself (`package.Service/Method`, with the `rpc.*` attributes) and runs every event
 * of the call, hence the handler, in its context. With `@opentelemetry/instrumentation-grpc`,
 * which runs handlers in a context of its own, it records on that instrumentation's span from
 * inside the handler: wrap the implementation with `stepmarkService` (harmless without it).
 *
 * It takes the application's grpc module rather than importing one, so that it builds its
 * `ServerInterceptingCall` with the very copy of grpc-js the server uses (a second copy, or
 * none, would break the server or the package's optional peer).
 * @example new grpc.Server({ interceptors: [stepmarkInterceptor(grpc, { authorize: tokenAuthorizer(), responseHeader: 'x-stepmark-trace' })] })
 */
export function stepmarkInterceptor<G extends GrpcModuleLike>(
  grpc: G,
  options: StepmarkHttpOptions<GrpcCall<ServerCallOf<G>>> = {},
): GrpcServerInterceptor<G> {
  if (typeof (grpc as Partial<GrpcModuleLike> | undefined)?.ServerInterceptingCall !== 'function') {
    // stepmarkInterceptor({ ... }) without the module: it would fail on the first call instead.
    throw typeError(
      'the first argument of stepmarkInterceptor',
      'the @grpc/grpc-js module',
      grpc,
      "use stepmarkInterceptor(grpc, options) with import * as grpc from '@grpc/grpc-js'",
    );
  }
  const gate = new RequestGate(options);
  const header = options.responseHeader;
  const InterceptingCall = grpc.ServerInterceptingCall as unknown as new (
    call: ServerCallOf<G>,
    responder: GrpcResponderLike,
  ) => InstanceType<G['ServerInterceptingCall']>;
  const createMetadata = () => new grpc.Metadata();
  let warned = false;
  /**
   * With instrumentation-grpc, a handler that ran unwrapped could not record: say so, once. Only
   * an OK status tells that a handler ran (another interceptor may refuse a call by itself).
   */
  const warnUnwrapped = (call: TracedCall, code: number) => {
    if (warned || code !== OK || !call.pending || call.handled) return;
    warned = true;
    diag.warn(
      'stepmark-otel/grpc: @opentelemetry/instrumentation-grpc runs handlers in a context of its own; ' +
        'wrap the service implementation with stepmarkService() for stepmark to record in them',
    );
  };

  return function stepmarkGrpcInterceptor(method, call) {
    let traced: TracedCall | undefined;
    const path = method.path;
    const listener: GrpcListenerLike = {
      onReceiveMetadata(metadata: GrpcMetadataLike, next) {
        const req: GrpcCall<ServerCallOf<G>> = { path, metadata, call };
        const head = grpcHead(path, metadata);
        const span = rpcSpan(path);
        const current = new TracedCall(metadata, () =>
          gate.open(req, head, span.name, span.attributes),
        );
        traced = current;
        // An instrumentation's server span starts only when the handler is called, and in a
        // context of its own: the decision waits for the handler (stepmarkService) to record on
        // that span. Without one, decide now and start stepmark's own span.
        if (!isWrapped((grpc.Server.prototype as { register?: unknown }).register)) current.open();
        current.within(() => next(metadata));
      },
      // grpc-js calls the handler from these events (unary and server-streaming handlers on the
      // half-close, after a message decoded in a later microtask): each runs in the traced context.
      onReceiveMessage(message, next) {
        if (traced === undefined) next(message);
        else traced.within(() => next(message));
      },
      onReceiveHalfClose(next) {
        if (traced === undefined) next();
        else traced.within(next);
      },
      // Also called once the status went out (grpc-js notifies every ended call): then a no-op.
      onCancel() {
        traced?.finish(CANCELLED);
      },
    };
    const responder: GrpcResponderLike = {
      start(next) {
        next(listener);
      },
      sendStatus(status: GrpcStatusLike, next) {
        if (traced === undefined) return next(status);
        next(traced.withTrailer(status, header, createMetadata));
        warnUnwrapped(traced, status.code);
        traced.finish(status.code);
      },
    };
    return new InterceptingCall(call, responder);
  };
}
