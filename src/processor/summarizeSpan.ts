import { SpanStatusCode, type HrTime } from '@opentelemetry/api';
import type { MetaValue, TraceSpan } from '../types.js';
import { ATTR_RUNTIME_KIND } from '../core/attributes.js';
import { hrTimeToMs } from '../core/hrTime.js';
import { isoTimestamp } from '../core/isoTimestamp.js';
import { defaultRedactor, REDACTED, type Redactor } from '../core/redaction/Redactor.js';
import { redactQuery, URL_ATTRIBUTES } from '../core/redaction/urlQuery.js';
import { runtimeSpanKind } from '../core/runtimeSpanKind.js';
import { sanitizeValue, setKey } from '../core/sanitize.js';
import type { EndedSpan } from './EndedSpan.js';

/** Span attributes are the application's own; keep long ones readable but bounded. */
const MAX_TAG_LENGTH = 4_096;

function iso(time: HrTime): string {
  return isoTimestamp(hrTimeToMs(time));
}

/**
 * A span in FlowTracker's shape; attributes become tags, the status 'ok' or 'error' when set, and
 * `stepmark.runtime.kind` the span's `kind` (a task or region of `stepmark-otel/runtime`).
 * Tags are redacted as meta is (`user.password`, `http.request.header.authorization`), and so are
 * the sensitive query parameters of URL attributes (`url.query=access_token=...`): the JSON goes
 * to sinks and response headers, which the exported spans themselves never reach.
 */
export function summarizeSpan(span: EndedSpan, redactor: Redactor = defaultRedactor): TraceSpan {
  const out: TraceSpan = {
    span_id: span.spanId,
    name: span.name,
    start_time: iso(span.startTime),
    end_time: iso(span.endTime),
    duration_ms: Math.round(hrTimeToMs(span.duration) * 1000) / 1000,
  };
  if (span.parentId) out.parent_id = span.parentId;
  if (span.open) out.open = true;
  const kind = runtimeSpanKind(span.attributes);
  if (kind !== undefined) out.kind = kind;
  const tags: Record<string, MetaValue> = {};
  let hasTags = false;
  for (const key of Object.keys(span.attributes)) {
    // Shown as `kind`, not repeated among the tags.
    if (kind !== undefined && key === ATTR_RUNTIME_KIND) continue;
    // API 1.10 (SDK 3.x) admits any value (maps, bytes); make each JSON-safe as meta is.
    let value: MetaValue | undefined = REDACTED;
    if (!redactor.redacts(key)) {
      value = sanitizeValue(span.attributes[key], MAX_TAG_LENGTH, redactor);
      if (typeof value === 'string' && URL_ATTRIBUTES.has(key))
        value = redactQuery(value, redactor);
    }
    if (value === undefined) continue;
    setKey(tags, key, value);
    hasTags = true;
  }
  if (span.status.code === SpanStatusCode.ERROR) {
    out.status = 'error';
    if (span.status.message) {
      tags['otel.status_description'] = span.status.message;
      hasTags = true;
    }
  } else if (span.status.code === SpanStatusCode.OK) {
    out.status = 'ok';
  }
  if (hasTags) out.tags = tags;
  return out;
}
