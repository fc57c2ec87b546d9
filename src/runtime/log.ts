import { context, trace } from '@opentelemetry/api';
import { sessionOf } from '../core/activeSession.js';
import type { MetaInput } from '../core/record.js';
import { registry, reportInternalError } from '../core/registry.js';
import { Frame } from './Frame.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

/**
 * Writes a timestamped annotation on the current task and region (Go's `trace.Log`): a span
 * event `<category>: <message>` on the active span, and an entry of the JSON's `logs` naming
 * that task and region. Meta is sanitized and redacted as a decision's is; logs count toward
 * `maxEvents`. Where stepmark does not record, it does nothing.
 * @example log('cache', 'miss', { key: 'prices:eu' })
 */
export function log(category: string, message: string, meta?: MetaInput): void {
  // Disabled path: one load and a return.
  if (recording.live === 0) return;
  try {
    const ctx = context.active();
    const session = sessionOf(ctx);
    if (session === undefined) return;
    const span = trace.getSpan(ctx);
    // Work that outlived its span is in no task: its records go on the request's local root.
    const frame = span?.isRecording() === true ? Frame.liveIn(ctx) : undefined;
    const task = frame?.task;
    session.recordLog(
      {
        category,
        message,
        meta,
        task: task?.name,
        region: frame !== undefined && frame.kind === 'region' ? frame.name : undefined,
      },
      span,
    );
  } catch (error) {
    reportInternalError('log', error);
  }
}
