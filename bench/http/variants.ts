// What http.bench.ts and its server fixture (server.ts) share.

export const FRAMEWORKS = ['http', 'express'] as const;
/** In the order they are loaded in a round: each judged pair is adjacent. */
export const VARIANTS = ['plain', 'middleware', 'otel', 'otel-stepmark', 'otel-events'] as const;
export type Framework = (typeof FRAMEWORKS)[number];
export type Variant = (typeof VARIANTS)[number];

/** Decisions recorded per request. */
export const EVENTS = 20;

/** Header that triggers tracing (the middleware's default trigger). */
export const TRIGGER_HEADER = 'x-stepmark';

/** What a server saw, printed on SIGTERM as `STATS <json>`. */
export interface ServerStats {
  /** Requests handled, and those of them that carried the trigger header. */
  requests: number;
  triggered: number;
  /** Spans that reached the exporter, and their span events. */
  exportedSpans: number;
  exportedEvents: number;
  /** Traces emitted by the StepmarkSpanProcessor, and their decisions. */
  stepmarkTraces: number;
  stepmarkEvents: number;
  /** Traces the middleware finished (its onFinish): 0 when nothing was traced. */
  middlewareTraces: number;
  /** stepmark.stats() at the end: sessions still open (0 once every traced request ended). */
  openSessions?: number;
  internalErrors?: number;
}

export function isOneOf<T extends string>(
  list: readonly T[],
  value: string | undefined,
): value is T {
  return list.includes(value as T);
}
