import type { TraceSpan } from '../types.js';

/** A span's time in whole microseconds since the epoch: exact integer arithmetic, no drift. */
export interface SpanWindow {
  start: number;
  end: number;
}

/**
 * When `span` ran, in microseconds, or undefined when its start is no date. The end is the start
 * plus `duration_ms` (microsecond precision, where `end_time` has only milliseconds), or
 * `end_time` when the duration is missing or negative. An open span ends at its emission time.
 */
export function spanWindow(span: TraceSpan): SpanWindow | undefined {
  const start = Date.parse(span.start_time);
  if (!Number.isFinite(start)) return undefined;
  const startUs = start * 1000;
  const duration = span.duration_ms;
  if (typeof duration === 'number' && Number.isFinite(duration) && duration >= 0) {
    return { start: startUs, end: startUs + Math.round(duration * 1000) };
  }
  const end = Date.parse(span.end_time);
  return { start: startUs, end: Number.isFinite(end) && end >= start ? end * 1000 : startUs };
}
