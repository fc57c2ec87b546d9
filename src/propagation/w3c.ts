// W3C Trace Context and Baggage in header form, written with @opentelemetry/api alone so that
// the package needs no SDK at runtime. https://www.w3.org/TR/trace-context/ , /TR/baggage/
import {
  isSpanContextValid,
  propagation,
  trace,
  TraceFlags,
  type Baggage,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';

/** Limits of the W3C Baggage spec: a longer or larger header is not parsed at all. */
export const MAX_BAGGAGE_BYTES = 8192;
export const MAX_BAGGAGE_ENTRIES = 180;

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/** The `traceparent` value of a span context. */
export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-0${(sc.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
}

/** The remote span context of a `traceparent` (and `tracestate`) header, or undefined when malformed. */
export function parseTraceparent(
  value: string | undefined,
  tracestate?: string,
): SpanContext | undefined {
  const match = TRACEPARENT.exec((value ?? '').trim());
  if (match === null || match[1] === 'ff' || (match[1] === '00' && value?.trim().length !== 55))
    return undefined;
  const sc: SpanContext = {
    traceId: match[2] as string,
    spanId: match[3] as string,
    traceFlags: parseInt(match[4] as string, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (!isSpanContextValid(sc)) return undefined;
  if (tracestate !== undefined && tracestate.length <= 512) {
    const state = tracestateOf(tracestate);
    if (state !== undefined) sc.traceState = state;
  }
  return sc;
}

/** A TraceState holding the raw header (list members kept as given, for re-propagation). */
function tracestateOf(header: string): SpanContext['traceState'] {
  const members = header
    .split(',')
    .map((m) => m.trim())
    .filter((m) => /^[^=\s]+=[^=\s]*$/.test(m))
    .slice(0, 32);
  if (members.length === 0) return undefined;
  const build = (list: string[]): NonNullable<SpanContext['traceState']> => ({
    set: (key, value) =>
      build([`${key}=${value}`, ...list.filter((m) => !m.startsWith(`${key}=`))]),
    unset: (key) => build(list.filter((m) => !m.startsWith(`${key}=`))),
    get: (key) => list.find((m) => m.startsWith(`${key}=`))?.slice(key.length + 1),
    serialize: () => list.join(','),
  });
  return build(members);
}

/** The `baggage` header value of a Baggage (entries percent-encoded), or undefined when empty. */
export function formatBaggage(baggage: Baggage | undefined): string | undefined {
  const entries = baggage?.getAllEntries() ?? [];
  const parts = entries
    .slice(0, MAX_BAGGAGE_ENTRIES)
    .map(([key, entry]) => `${encodeURIComponent(key)}=${encodeURIComponent(entry.value)}`);
  const header = parts.join(',');
  return header.length === 0 || header.length > MAX_BAGGAGE_BYTES ? undefined : header;
}

/**
 * The Baggage of a `baggage` header, or undefined when absent, oversized or without any valid
 * entry. Malformed entries are skipped; properties after `;` are ignored.
 */
export function parseBaggage(header: string | undefined): Baggage | undefined {
  if (header === undefined || header.length === 0 || header.length > MAX_BAGGAGE_BYTES)
    return undefined;
  let baggage = propagation.createBaggage();
  let count = 0;
  for (const member of header.split(',')) {
    if (count === MAX_BAGGAGE_ENTRIES) break;
    const pair = member.split(';')[0]?.trim() ?? '';
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    try {
      const key = decodeURIComponent(pair.slice(0, eq).trim());
      const value = decodeURIComponent(pair.slice(eq + 1).trim());
      if (key.length === 0) continue;
      baggage = baggage.setEntry(key, { value });
      count++;
    } catch {
      // a bad percent-encoding: skip the entry, keep the rest
    }
  }
  return count === 0 ? undefined : baggage;
}

/** Header-like input: node's IncomingHttpHeaders, a plain record, or a Fetch `Headers`. */
export type HeaderSource =
  Record<string, string | string[] | undefined> | { get(name: string): string | null };

/** One header's value (the first, if repeated), by lowercase name. */
export function headerOf(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const raw = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(raw) ? raw[0] : raw;
}

/** `ctx` with the remote parent and baggage of incoming W3C headers (malformed ones ignored). */
export function extractW3C(ctx: Context, headers: HeaderSource): Context {
  let out = ctx;
  const parent = parseTraceparent(
    headerOf(headers, 'traceparent'),
    headerOf(headers, 'tracestate'),
  );
  if (parent !== undefined) out = trace.setSpanContext(out, parent);
  const baggage = parseBaggage(headerOf(headers, 'baggage'));
  if (baggage !== undefined) out = propagation.setBaggage(out, baggage);
  return out;
}
