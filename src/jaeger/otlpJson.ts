import { listOf, objectOf } from '../core/jsonShape.js';

// The OTLP/JSON shapes Jaeger's /api/v3 returns (TracesData), as far as the rebuild reads them.

/** An OTLP AnyValue in its JSON form (64-bit integers arrive as strings). */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
}

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

export interface OtlpEvent {
  timeUnixNano?: string | number;
  name?: string;
  attributes?: OtlpKeyValue[];
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name?: string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpKeyValue[];
  events?: OtlpEvent[];
  status?: { code?: number | string; message?: string };
}

export interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
}

export interface OtlpTracesData {
  resourceSpans?: OtlpResourceSpans[];
}

/**
 * Nesting of arrayValue/kvlistValue below which a value reads as '[Nested]': the walk recurses,
 * and stepmark never writes nested attributes (meta values are JSON text).
 */
const MAX_ANY_DEPTH = 32;
const NESTED = '[Nested]';

/** Milliseconds since the epoch that a Date can hold (past them, `toISOString` throws). */
const MAX_EPOCH_MS = 8.64e15;

/**
 * A plain JS value of an AnyValue: arrays and maps become arrays and objects. A field of another
 * type counts as absent (undefined when none is left); nesting past 32 levels reads as '[Nested]'.
 */
export function anyValue(value: unknown, depth = 0): unknown {
  const v = objectOf(value);
  if (v === undefined) return undefined;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (typeof v.intValue === 'string' || typeof v.intValue === 'number') return Number(v.intValue);
  // Proto3 JSON writes NaN and the infinities as strings.
  if (typeof v.doubleValue === 'number' || typeof v.doubleValue === 'string')
    return Number(v.doubleValue);
  if (typeof v.bytesValue === 'string') return v.bytesValue;
  const array = objectOf(v.arrayValue);
  const kvlist = objectOf(v.kvlistValue);
  if ((array ?? kvlist) !== undefined && depth >= MAX_ANY_DEPTH) return NESTED;
  if (array !== undefined) return listOf(array.values).map((item) => anyValue(item, depth + 1));
  if (kvlist !== undefined) return attributesOf(kvlist.values, depth + 1);
  return undefined;
}

/** Key-value list as an object; entries that are no `{ key: string }` are skipped. */
export function attributesOf(list: unknown, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of listOf(list)) {
    const kv = objectOf(item);
    if (typeof kv?.key !== 'string' || kv.key === '__proto__') continue;
    out[kv.key] = anyValue(kv.value, depth);
  }
  return out;
}

/**
 * Nanoseconds since the epoch (a decimal string in OTLP/JSON) as milliseconds; 0 when absent or
 * no time: neither a number nor a string of digits, or outside what a Date can hold.
 */
export function nanosToMs(nanos: unknown): number {
  let ms = 0;
  if (typeof nanos === 'number') ms = nanos / 1e6;
  else if (typeof nanos === 'string' && /^\d+$/.test(nanos)) {
    // Split to stay exact: a double cannot hold nanoseconds since 1970.
    const whole = nanos.length > 6 ? Number(nanos.slice(0, -6)) : 0;
    const rest = nanos.length > 6 ? Number(nanos.slice(-6)) : Number(nanos);
    ms = whole + rest / 1e6;
  }
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_EPOCH_MS ? ms : 0;
}
