import type { OtlpTracesData } from './otlpJson.js';

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
    if ((data.resourceSpans ?? []).length === 0)
      throw new TraceNotFoundError(`trace ${traceId} not found in Jaeger`);
    return data;
  }

  /** Traces of `service` matching the query (their full spans), or none. */
  async findTraces(query: FindTracesQuery): Promise<OtlpTracesData> {
    const params = new URLSearchParams({
      'query.service_name': query.service,
      'query.start_time_min': rfc3339(query.startMin),
      'query.start_time_max': rfc3339(query.startMax ?? Date.now()),
      'query.num_traces': String(query.limit ?? 100),
    });
    for (const [key, value] of Object.entries(query.attributes ?? {})) {
      params.append('query.attributes', JSON.stringify({ [key]: value }));
    }
    try {
      return await this.#get(`/api/v3/traces?${params.toString()}`, 'search');
    } catch (error) {
      if (error instanceof TraceNotFoundError) return { resourceSpans: [] };
      throw error;
    }
  }

  /** Names of the services Jaeger has spans of. */
  async services(): Promise<string[]> {
    const body = (await this.#fetchJson('/api/v3/services', 'services')) as { services?: unknown };
    return Array.isArray(body.services)
      ? body.services.filter((s): s is string => typeof s === 'string')
      : [];
  }

  async #get(path: string, what: string): Promise<OtlpTracesData> {
    const body = (await this.#fetchJson(path, what)) as { result?: OtlpTracesData };
    return body.result ?? { resourceSpans: [] };
  }

  async #fetchJson(path: string, what: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const cause =
        (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new JaegerUnreachableError(`Jaeger is not reachable at ${this.#base} (${cause})`);
    }
    const text = await response.text();
    if (response.status === 404) throw new TraceNotFoundError(`${what} not found in Jaeger`);
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
