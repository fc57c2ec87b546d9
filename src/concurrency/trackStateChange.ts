import { context, trace } from '@opentelemetry/api';
import { sessionOf } from '../core/activeSession.js';
import { registry, reportInternalError } from '../core/registry.js';
import { recordAccess } from './recordAccess.js';
import { captureLocation } from './trackObject/SourceLocation.js';
import { taskIn } from './tasks.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

/**
 * Records a read or write of a named variable by the running task: a span event, an entry of
 * the trace's `state`, and what a `RaceDetector` orders and compares. For a read, `newValue` is
 * the value read. A no-op when tracing is off (one load and a return).
 * @example trackStateChange('accounts.alice.balance', 100, 50, 'write')
 */
export function trackStateChange(
  variable: string,
  oldValue: unknown,
  newValue: unknown,
  access: 'read' | 'write',
): void {
  if (recording.live === 0) return;
  try {
    // As `trackingSite()`, inlined: this is the call of a hot loop.
    const ctx = context.active();
    const session = sessionOf(ctx);
    if (session === undefined || session.closed) return;
    const span = trace.getSpan(ctx);
    const traceId = session.traceId ?? span?.spanContext().traceId;
    if (traceId === undefined) return;
    if (
      (access !== 'read' && access !== 'write') ||
      typeof variable !== 'string' ||
      variable === ''
    ) {
      session.draft.counters.invalidCalls++;
      return;
    }
    const location = session.stateLocations ? captureLocation(trackStateChange) : undefined;
    const task = taskIn(session, traceId);
    recordAccess(session, span, task, variable, access, newValue, oldValue, location);
  } catch (error) {
    reportInternalError('trackStateChange', error);
  }
}
