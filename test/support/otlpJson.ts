// Finished SDK spans as the OTLP/JSON Jaeger's /api/v3 returns (hex ids, 64-bit integers and
// nanosecond times as decimal strings), so that tests can feed the backend reader what the
// writer produced, on either SDK line.
import type { OtlpAnyValue, OtlpTracesData } from '../../src/jaeger/otlpJson.js';

type HrTime = [number, number];

/** The parts of an SDK ReadableSpan (2.x and 3.x) the conversion reads. */
export interface FinishedSpan {
  name: string;
  startTime: HrTime;
  endTime: HrTime;
  attributes: Record<string, unknown>;
  events: Array<{ name: string; time: HrTime; attributes?: Record<string, unknown> }>;
  parentSpanContext?: { spanId: string } | undefined;
  spanContext(): { traceId: string; spanId: string };
}

const nanos = ([s, ns]: HrTime): string => String(BigInt(s) * 1_000_000_000n + BigInt(ns));

function anyValue(value: unknown): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { stringValue: String(value) };
}

const keyValues = (attributes: Record<string, unknown> = {}) =>
  Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));

/** One resource (service) holding `spans`. */
export function toOtlpJson(spans: readonly FinishedSpan[], service: string): OtlpTracesData {
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues({ 'service.name': service }) },
        scopeSpans: [
          {
            spans: spans.map((s) => ({
              traceId: s.spanContext().traceId,
              spanId: s.spanContext().spanId,
              ...(s.parentSpanContext ? { parentSpanId: s.parentSpanContext.spanId } : {}),
              name: s.name,
              startTimeUnixNano: nanos(s.startTime),
              endTimeUnixNano: nanos(s.endTime),
              attributes: keyValues(s.attributes),
              events: s.events.map((e) => ({
                name: e.name,
                timeUnixNano: nanos(e.time),
                attributes: keyValues(e.attributes),
              })),
            })),
          },
        ],
      },
    ],
  };
}
