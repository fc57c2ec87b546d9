import { context, trace as otelTrace } from '@opentelemetry/api';
import type { Trace } from '../types.js';
import { sessionOf } from './activeSession.js';
import { registry, reportInternalError } from './registry.js';

/**
 * A deep-copied snapshot of the current request's trace, with the spans that have ended so far
 * when a processor is installed; undefined when stepmark is off. Calls are independent of each
 * other and see later events.
 * @example const trace = stepmark.collect(); console.log(trace?.entities?.order_42?.events);
 */
export function collect(): Trace | undefined {
  if (registry.live === 0) return undefined;
  try {
    const ctx = context.active();
    const session = sessionOf(ctx)?.resolve(otelTrace.getSpan(ctx));
    if (session === undefined) return undefined;
    const trace = session.snapshot();
    if (session.traceId !== undefined) {
      for (const processor of registry.processors) {
        const spans = processor.spansOf(session.traceId);
        if (spans !== undefined && spans.length > 0) {
          trace.spans = spans;
          break;
        }
      }
    }
    return trace;
  } catch (error) {
    reportInternalError('collect', error);
    return undefined;
  }
}
