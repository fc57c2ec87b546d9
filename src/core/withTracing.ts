import { context, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { checkProcessorSawStart, enableContext, unboundSession } from './enable.js';
import type { StepmarkOptions } from './options.js';
import { registry, reportInternalError } from './registry.js';
import { runToEnd } from './runToEnd.js';
import type { Session } from './session/Session.js';

/** Name of the span `withTracing` starts when no span is active. */
export const WITH_TRACING_SPAN = 'stepmark';
const TRACER_NAME = 'stepmark-otel';

function finish(span: Span | undefined, session: Session | undefined, error?: unknown): void {
  try {
    if (span !== undefined) {
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    }
    session?.endScope();
  } catch (caught) {
    reportInternalError('withTracing end', caught);
  }
}

/**
 * Runs `fn` in an enabled context and returns its result (a Promise stays a Promise). Starts a
 * span named 'stepmark' when none is recording; ends it, and stops the session it opened, when
 * `fn` returns or settles. Errors of `fn` reach the caller unchanged.
 * @example const trace = await stepmark.withTracing(async () => { await checkout(order); return stepmark.collect(); });
 */
export function withTracing<T>(fn: () => T, options?: StepmarkOptions): T {
  let runIn;
  let span: Span | undefined;
  let session: Session | undefined;
  try {
    const enabled = enableContext(options, context.active());
    if (enabled.created) session = enabled.session;
    runIn = enabled.ctx;
    if (trace.getSpan(runIn)?.isRecording() !== true) {
      const unbound = unboundSession(runIn);
      span = trace.getTracer(TRACER_NAME).startSpan(WITH_TRACING_SPAN, undefined, runIn);
      checkProcessorSawStart(unbound, span);
      if (span.isRecording()) enabled.session.bind(span.spanContext().traceId);
      else registry.stats.unsampledRequests++; // decisions stay in collect(), reach no processor
      runIn = trace.setSpan(runIn, span);
    }
  } catch (error) {
    reportInternalError('withTracing', error);
    return fn();
  }
  return runToEnd(runIn, fn, (error) => finish(span, session, error), 'withTracing');
}
