import { redactorFor, type Redactor } from './redaction.js';

/**
 * Options of a traced request, given to `enable`, `withTracing` or an HTTP trigger.
 * @example stepmark.withTracing(handle, { maxEvents: 500, traceMeta: { route: '/checkout' } })
 */
export interface StepmarkOptions {
  /** Cap on decision events per request; 0 = unlimited; `track` calls do not count. Default 10,000. */
  maxEvents?: number;
  /** Cap on entities per request; calls for further entities are dropped and counted. Default 10,000. */
  maxEntities?: number;
  /** Strings in meta, ids, stages and actions longer than this are truncated with a marker. Default 2,048. */
  maxStringLength?: number;
  /** Time source for event timestamps, for tests. Default: the high-resolution process clock. */
  clock?: () => Date;
  /** Request-level meta: in the JSON `meta` and on the local root span as `stepmark.trace.meta.<key>`. */
  traceMeta?: Record<string, unknown>;
  /** Which entities to record; applies to every entity-scoped call, never to `record`/`step`/`enter`. */
  entityFilter?: (entityId: string) => boolean;
  /**
   * Meta keys whose values are replaced by '[REDACTED]' before anything is stored: a key is
   * redacted when it contains one of these words (case-insensitive), at any depth. Default:
   * password, passwd, secret, token, authorization, cookie, api_key, apikey, card, cvv, iban,
   * ssn, email. `[]` turns redaction off.
   */
  redactKeys?: readonly string[];
}

/** Options with every default applied. */
export interface ResolvedOptions {
  maxEvents: number;
  maxEntities: number;
  maxStringLength: number;
  clock: (() => Date) | undefined;
  traceMeta: Record<string, unknown> | undefined;
  entityFilter: ((entityId: string) => boolean) | undefined;
  redactor: Redactor;
}

const DEFAULT_MAX_EVENTS = 10_000;
const DEFAULT_MAX_ENTITIES = 10_000;
const DEFAULT_MAX_STRING_LENGTH = 2_048;

/** A whole number >= 0 from an option, or `fallback` when it is not one. */
export function nonNegativeInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? Math.floor(value)
    : fallback;
}

/** Applies defaults; bad values fall back to the default rather than throwing. */
export function resolveOptions(options: StepmarkOptions | undefined): ResolvedOptions {
  if (options === undefined) return (defaults ??= resolve({}));
  return resolve(options);
}

/** The defaults, resolved once: most requests are enabled without options. */
let defaults: ResolvedOptions | undefined;

function resolve(o: StepmarkOptions): ResolvedOptions {
  return {
    maxEvents: nonNegativeInt(o.maxEvents, DEFAULT_MAX_EVENTS),
    maxEntities: nonNegativeInt(o.maxEntities, DEFAULT_MAX_ENTITIES) || DEFAULT_MAX_ENTITIES,
    maxStringLength: Math.max(16, nonNegativeInt(o.maxStringLength, DEFAULT_MAX_STRING_LENGTH)),
    clock: typeof o.clock === 'function' ? o.clock : undefined,
    traceMeta: o.traceMeta !== null && typeof o.traceMeta === 'object' ? o.traceMeta : undefined,
    entityFilter: typeof o.entityFilter === 'function' ? o.entityFilter : undefined,
    redactor: redactorFor(Array.isArray(o.redactKeys) ? o.redactKeys : undefined),
  };
}
