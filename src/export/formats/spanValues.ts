import type { Trace, TraceSpan } from '../../types.js';
import { spanForest, type SpanNode } from './spanTree.js';

/** The name shown for a span whose name is missing, not a string, or only whitespace. */
export const UNNAMED = '(unnamed)';

/**
 * The span forest of any input, as `spanForest` builds it: a trace that is not an object, or whose
 * `spans` is not an array, has no spans; entries that are not objects with a string `span_id` are
 * skipped. Lets every format take a trace read from a file without checking it first.
 */
export function forestOf(trace: unknown): SpanNode[] {
  if (trace === null || typeof trace !== 'object') return [];
  return spanForest(trace as Pick<Trace, 'spans'>);
}

/** The span's name, or `UNNAMED` when it is not a string or is only whitespace. */
export function nameOf(span: TraceSpan): string {
  const name: unknown = span.name;
  return typeof name === 'string' && name.trim() !== '' ? name : UNNAMED;
}

/**
 * The span's duration in whole microseconds: `duration_ms` when it is a finite number, else
 * `end_time - start_time`; 0 when neither is known or the value is negative. Integer microseconds
 * keep sums exact, so a parent's amount in a diagram equals the sum of the amounts shown for it.
 */
export function durationMicros(span: TraceSpan): number {
  const duration: unknown = span.duration_ms;
  let ms = typeof duration === 'number' && Number.isFinite(duration) ? duration : NaN;
  if (Number.isNaN(ms))
    ms = (parseTime(span.end_time) ?? NaN) - (parseTime(span.start_time) ?? NaN);
  if (!(ms > 0)) return 0;
  return Math.min(Math.round(ms * 1000), Number.MAX_SAFE_INTEGER);
}

/** The span's start as epoch milliseconds, or undefined when `start_time` does not parse. */
export function startMillis(span: TraceSpan): number | undefined {
  return parseTime(span.start_time);
}

function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Microseconds as milliseconds with up to 3 decimals and no trailing zeros or exponent:
 * 12_500 → `12.5`, 412 → `0.412`, 3_000 → `3`.
 */
export function formatMs(micros: number): string {
  const whole = Math.floor(micros / 1000);
  const fraction = micros - whole * 1000;
  if (fraction === 0) return String(whole);
  return `${whole}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}`;
}

/** The span's tags when they are a plain object (a junk `tags` value counts as none). */
export function tagsOf(span: TraceSpan): Record<string, unknown> | undefined {
  const tags: unknown = span.tags;
  return tags !== null && typeof tags === 'object' && !Array.isArray(tags)
    ? (tags as Record<string, unknown>)
    : undefined;
}

/** The duration and the marks every diagram shows: `12.5 ms`, `3 ms, open, error`. */
export function durationText(span: TraceSpan): string {
  let text = `${formatMs(durationMicros(span))} ms`;
  if (span.open === true) text += ', open';
  if (span.status === 'error') text += ', error';
  return text;
}
