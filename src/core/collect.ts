import { context, trace as otelTrace } from '@opentelemetry/api';
import type { Trace } from '../types.js';
import { sessionOf } from './activeSession.js';
import { registry, reportInternalError } from './registry.js';
import type { Session } from './session/Session.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

/**
 * A deep-copied snapshot of the current request's trace, with the spans that have ended so far
 * when a processor is installed; undefined when stepmark is off. Calls are independent of each
 * other and see later events.
 * @example const trace = stepmark.collect(); console.log(trace?.entities?.order_42?.events);
 */
export function collect(): Trace | undefined {
  if (recording.live === 0) return undefined;
  try {
    const ctx = context.active();
    const session = sessionOf(ctx)?.resolve(otelTrace.getSpan(ctx));
    return session === undefined ? undefined : snapshotOf(session);
  } catch (error) {
    reportInternalError('collect', error);
    return undefined;
  }
}

/**
 * The trace of `session` so far, with the spans a processor holds for it: also for a session
 * already closed, whose trace is about to be emitted (see `collect`, which reads the active one).
 */
export function snapshotOf(session: Session): Trace {
  const trace = session.snapshot();
  if (session.traceId !== undefined) {
    for (const processor of registry.processors) {
      const spans = processor.spansOf(session.traceId, trace);
      if (spans !== undefined && spans.length > 0) {
        trace.spans = spans;
        break;
      }
    }
  }
  return trace;
}
