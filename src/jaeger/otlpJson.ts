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

/** A plain JS value of an AnyValue: arrays and maps become arrays and objects. */
export function anyValue(value: OtlpAnyValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue !== undefined) return attributesOf(value.kvlistValue.values);
  return undefined;
}

/** Key-value list as an object. */
export function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) {
    if (kv.key === '__proto__') continue;
    out[kv.key] = anyValue(kv.value);
  }
  return out;
}

/** Nanoseconds since the epoch (a decimal string in OTLP/JSON) as milliseconds. */
export function nanosToMs(nanos: string | number | undefined): number {
  if (nanos === undefined) return 0;
  if (typeof nanos === 'number') return nanos / 1e6;
  // Split to stay exact: a double cannot hold nanoseconds since 1970.
  const ms = nanos.length > 6 ? Number(nanos.slice(0, -6)) : 0;
  const rest = nanos.length > 6 ? Number(nanos.slice(-6)) : Number(nanos);
  return ms + rest / 1e6;
}
