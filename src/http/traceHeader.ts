import { jaegerTraceUrl } from '../jaeger/traceUrl.js';
import type { Trace } from '../types.js';

/** Default cap of the response header carrying the trace, in bytes. */
export const DEFAULT_MAX_HEADER_BYTES = 8 * 1024;

/**
 * The trace as a response header value: JSON with every non-ASCII character escaped (so no
 * CR/LF, no byte a proxy could misread, no header injection). Over `maxBytes` it is replaced by
 * a small JSON that says so and carries the trace id, never a cut, broken value. With
 * `jaegerUrl`, both carry `jaeger_url`, the trace's address in Jaeger's UI.
 * @example res.setHeader('X-Stepmark-Trace', traceHeaderValue(trace, 8192))
 */
export function traceHeaderValue(
  trace: Trace,
  maxBytes: number = DEFAULT_MAX_HEADER_BYTES,
  jaegerUrl?: string,
): string {
  const link = jaegerUrl === undefined ? undefined : jaegerTraceUrl(jaegerUrl, trace.trace_id);
  const { trace_id: traceId, ...rest } = trace;
  const shown = link === undefined ? trace : { trace_id: traceId, jaeger_url: link, ...rest };
  const json = headerSafe(JSON.stringify(shown));
  if (json.length <= maxBytes) return json;
  const marker = {
    truncated: true,
    trace_id: trace.trace_id,
    bytes: json.length,
    jaeger_url: link,
  };
  return headerSafe(JSON.stringify(marker));
}

/** JSON with every character outside printable ASCII escaped as `\uXXXX`. */
function headerSafe(json: string): string {
  return json.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
