import { listOf, objectOf, textOf } from '../core/jsonShape.js';
import { anyValue, type OtlpTracesData } from './otlpJson.js';

/** Jaeger could not be reached at all (refused, DNS, timeout). */
export class JaegerUnreachableError extends Error {
  override readonly name = 'JaegerUnreachableError';
}

/** Jaeger answered, but not with what was asked (an HTTP error other than not-found). */
export class JaegerHttpError extends Error {
  override readonly name = 'JaegerHttpError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The trace is not stored in Jaeger (never sent, expired, or a wrong id). */
export class TraceNotFoundError extends Error {
  override readonly name = 'TraceNotFoundError';
}

/** A search of `/api/v3/traces`. */
export interface FindTracesQuery {
  /** Jaeger requires a service for a search. */
  service: string;
  /** Span attributes that must match, e.g. `{ 'stepmark.entity.id': 'order_42' }`. */
  attributes?: Record<string, string>;
  /** Earliest start time, epoch milliseconds. */
  startMin: number;
  /** Latest start time, epoch milliseconds. Default: now. */
  startMax?: number;
  /** Traces at most. Default 100. */
  limit?: number;
}

/** Default base URL of Jaeger's query service. */
export const DEFAULT_JAEGER_URL = 'http://localhost:16686';

/**
 * Whether a key-value list holds every wanted attribute (compared as text, as Jaeger does). The
 * answer is Jaeger's: any field of another shape than OTLP/JSON's counts as absent.
 */
function holdsAll(list: unknown, wanted: Record<string, string>, found: Set<string>): void {
  for (const item of listOf(list)) {
    const kv = objectOf(item);
    const key = textOf(kv?.key);
    if (key !== undefined && Object.hasOwn(wanted, key)) {
      if (String(anyValue(kv?.value)) === wanted[key]) found.add(key);
    }
  }
}

/** Each span of OTLP data with its resource, skipping what is not an object. */
function* spansOf(data: unknown): Generator<{ resource: unknown; span: Record<string, unknown> }> {
  for (const r of listOf(objectOf(data)?.resourceSpans)) {
    const resourceSpans = objectOf(r);
    for (const scope of listOf(resourceSpans?.scopeSpans)) {
      for (const span of listOf(objectOf(scope)?.spans)) {
        const s = objectOf(span);
        if (s !== undefined) yield { resource: objectOf(resourceSpans?.resource), span: s };
      }
    }
  }
}

/** The traces of `data` with a span matching every attribute (on the span, its resource or events). */
function onlyMatching(data: OtlpTracesData, wanted: Record<string, string>): OtlpTracesData {
  const keys = Object.keys(wanted).length;
  const matching = new Set<unknown>();
  for (const { resource, span } of spansOf(data)) {
    const found = new Set<string>();
    holdsAll(objectOf(resource)?.attributes, wanted, found);
    holdsAll(span.attributes, wanted, found);
    for (const event of listOf(span.events)) holdsAll(objectOf(event)?.attributes, wanted, found);
    if (found.size === keys) matching.add(span.traceId);
  }
  const kept = (spans: unknown): unknown[] =>
    listOf(spans).filter((span) => matching.has(objectOf(span)?.traceId));
  return {
    resourceSpans: listOf(data.resourceSpans).map((r) => ({
      ...objectOf(r),
      scopeSpans: listOf(objectOf(r)?.scopeSpans).map((scope) => ({
        ...objectOf(scope),
        spans: kept(objectOf(scope)?.spans),
      })),
    })),
  } as OtlpTracesData;
}

/** The distinct trace ids of OTLP data, in order of appearance. */
function traceIdsOf(data: OtlpTracesData): string[] {
  const ids = new Set<string>();
  for (const { span } of spansOf(data)) {
    const id = textOf(span.traceId);
    if (id !== undefined) ids.add(id);
  }
  return [...ids];
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A client of Jaeger's `/api/v3` query API (Jaeger v2), which answers in OTLP/JSON.
 * @example const data = await new JaegerClient('http://localhost:16686').getTrace(traceId);
 */
export class JaegerClient {
  readonly #base: string;
  readonly #timeoutMs: number;

  constructor(baseUrl: string = DEFAULT_JAEGER_URL, options: { timeoutMs?: number } = {}) {
    this.#base = baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The stored spans of one trace, all services. Throws TraceNotFoundError when absent. */
  async getTrace(traceId: string): Promise<OtlpTracesData> {
    if (!/^[0-9a-f]{32}$/i.test(traceId)) {
      throw new TraceNotFoundError(`not a trace id (32 hex digits): ${traceId}`);
    }
    const data = await this.#get(`/api/v3/traces/${traceId.toLowerCase()}`, `trace ${traceId}`);
    if (listOf(data.resourceSpans).length === 0)
      throw new TraceNotFoundError(`trace ${traceId} not found in Jaeger`);
    return data;
  }

  /**
   * Ids of the traces of `service` whose spans match every attribute of the query (on the span,
   * its resource or one of its events), newest first. Uses the search that filters on the
   * server: `/api/traces?tags=` where Jaeger still has it (v2.13 ignores `query.attributes` of
   * `/api/v3`), `/api/v3/traces?query.attributes=` where that one is gone (recent Jaeger).
   */
  async findTraceIds(query: FindTracesQuery): Promise<string[]> {
    const legacy = new URLSearchParams({
      service: query.service,
      start: String(Math.floor(query.startMin * 1000)),
      end: String(Math.floor((query.startMax ?? Date.now()) * 1000)),
      limit: String(query.limit ?? 100),
    });
    if (query.attributes !== undefined) legacy.set('tags', JSON.stringify(query.attributes));
    let found: unknown;
    try {
      found = await this.#fetchJson(`/api/traces?${legacy.toString()}`, 'search');
    } catch (error) {
      if (!(error instanceof TraceNotFoundError)) throw error;
      return traceIdsOf(await this.findTraces(query)); // no legacy endpoint: search through v3
    }
    const ids = listOf(objectOf(found)?.data).map((t) => textOf(objectOf(t)?.traceID));
    return ids.filter((id): id is string => id !== undefined);
  }

  /**
   * Traces of `service` matching the query (their full spans), or none. Jaeger v2.19+ filters by
   * `attributes` itself; older versions ignore them, so matching is checked here as well.
   */
  async findTraces(query: FindTracesQuery): Promise<OtlpTracesData> {
    const params = new URLSearchParams({
      'query.service_name': query.service,
      'query.start_time_min': rfc3339(query.startMin),
      'query.start_time_max': rfc3339(query.startMax ?? Date.now()),
      // Required: Jaeger answers 500 without a search depth.
      'query.num_traces': String(query.limit ?? 100),
    });
    if (query.attributes !== undefined) {
      params.set('query.attributes', JSON.stringify(query.attributes));
    }
    let data: OtlpTracesData;
    try {
      data = await this.#get(`/api/v3/traces?${params.toString()}`, 'search');
    } catch (error) {
      if (error instanceof TraceNotFoundError) return { resourceSpans: [] };
      throw error;
    }
    return query.attributes === undefined ? data : onlyMatching(data, query.attributes);
  }

  /** Names of the services Jaeger has spans of. */
  async services(): Promise<string[]> {
    const body = objectOf(await this.#fetchJson('/api/v3/services', 'services'));
    return listOf(body?.services).filter((s): s is string => typeof s === 'string');
  }

  async #get(path: string, what: string): Promise<OtlpTracesData> {
    const result = objectOf(objectOf(await this.#fetchJson(path, what))?.result);
    return (result ?? { resourceSpans: [] }) as OtlpTracesData;
  }

  async #fetchJson(path: string, what: string): Promise<unknown> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.#base}${path}`, {
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.text(); // inside: a Jaeger that stalls mid-body times out here
    } catch (error) {
      const cause =
        (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new JaegerUnreachableError(`Jaeger is not reachable at ${this.#base} (${cause})`);
    }
    if (response.status === 404) {
      // Jaeger's own not-found carries its error body; any other 404 means a wrong URL.
      if (/"error"\s*:/.test(text) || path.startsWith('/api/traces?')) {
        throw new TraceNotFoundError(`${what} not found in Jaeger`);
      }
      throw new JaegerHttpError(
        `${this.#base} is not a Jaeger query API (404 for ${path.split('?')[0]})`,
        404,
      );
    }
    if (!response.ok) {
      throw new JaegerHttpError(
        `Jaeger answered ${response.status} for ${what}: ${text.slice(0, 300)}`,
        response.status,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new JaegerHttpError(
        `Jaeger answered non-JSON for ${what}: ${text.slice(0, 120)}`,
        response.status,
      );
    }
  }
}
