import type { Trace } from '../types.js';

/** Default cap of the response header carrying the trace, in bytes. */
export const DEFAULT_MAX_HEADER_BYTES = 8 * 1024;

/**
 * The trace as a response header value: JSON with every non-ASCII character escaped (so no
 * CR/LF, no byte a proxy could misread, no header injection). Over `maxBytes` it is replaced by
 * a small JSON that says so and carries the trace id, never a cut, broken value.
 * @example res.setHeader('X-Stepmark-Trace', traceHeaderValue(trace, 8192))
 */
export function traceHeaderValue(
  trace: Trace,
  maxBytes: number = DEFAULT_MAX_HEADER_BYTES,
): string {
  const json = JSON.stringify(trace).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (json.length <= maxBytes) return json;
  return JSON.stringify({ truncated: true, trace_id: trace.trace_id, bytes: json.length });
}
