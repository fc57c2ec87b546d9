import { redactorFor, type Redactor } from './redaction/Redactor.js';
import type { ValueRule } from './redaction/valueRules.js';
import { reportInternalError } from './registry.js';

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
   * Meta keys (and span attribute names) whose values are replaced by '[REDACTED]' before
   * anything is stored, at any depth. A key is redacted when one of these terms occurs in it as
   * whole words, case-insensitively, split at `_`, `-`, `.` and camelCase (`api_key` matches
   * `X-Api-Key` and `apiKey`; `card_number` does not match `card_type`), unless only describing
   * words follow (`token_count`, `email_verified`). Default: `DEFAULT_REDACT_KEYS`; extend it with
   * `[...DEFAULT_REDACT_KEYS, 'note']`. `[]` turns key redaction off.
   */
  redactKeys?: readonly string[];
  /**
   * Opt-in redaction by value, whatever the key: `'jwt'`, `'bearer'`, `'card'` (numbers that pass
   * the Luhn check), or RegExps of your own; what they find in a string is replaced by
   * '[REDACTED]'. Default none.
   * @example { redactValues: ['jwt', 'bearer', 'card', /\bAKIA[0-9A-Z]{16}\b/] }
   */
  redactValues?: readonly ValueRule[];
  /**
   * Actions that mean something went wrong (`['blocked', 'rejected', 'failed']`): a decision with
   * one of them marks the span it is written on with error status (its message the decision,
   * `fraud_check: blocked`), so that Jaeger shows the request red in its search list and
   * timeline. A status the application set is kept. Default none.
   */
  errorActions?: readonly string[];
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
  /** `errorActions` as a set; undefined when none. */
  errorActions: ReadonlySet<string> | undefined;
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
    redactor: redactorOf(o),
    errorActions: errorActionsOf(o.errorActions),
  };
}

/**
 * The redactor of the options. Options given on the request path must not throw there: a bad
 * value rule or an oversized list is reported, and the default rules apply instead (never fewer).
 */
function redactorOf(o: StepmarkOptions): Redactor {
  const keys = Array.isArray(o.redactKeys) ? o.redactKeys : undefined;
  const values = Array.isArray(o.redactValues) ? o.redactValues : undefined;
  try {
    return redactorFor(keys, values);
  } catch (error) {
    reportInternalError('options.redactKeys/redactValues', error);
    return redactorFor(undefined, undefined);
  }
}

/**
 * What a constructor throws when reading its options threw: a TypeError or RangeError as it is
 * (it names the option), anything else (a Proxy's trap, a throwing getter) as a TypeError that
 * says so, with the original as its cause. Options fail loudly, and only where they are given.
 */
export function optionsError(where: string, error: unknown): Error {
  if (error instanceof TypeError || error instanceof RangeError) return error;
  return new TypeError(`stepmark-otel: ${where}: its options could not be read`, { cause: error });
}

/** Entries `errorActions` takes at most. */
export const MAX_ERROR_ACTIONS = 256;

/** The `errorActions` option as a set of its strings; undefined when it names none. */
function errorActionsOf(actions: unknown): ReadonlySet<string> | undefined {
  if (!Array.isArray(actions)) return undefined;
  if (actions.length > MAX_ERROR_ACTIONS) {
    // Read on the request path: a sparse list of length 2³² would take minutes to filter.
    reportInternalError('options.errorActions', new RangeError('more than 256 errorActions'));
    return undefined;
  }
  const set = new Set(actions.filter((a): a is string => typeof a === 'string' && a !== ''));
  return set.size > 0 ? set : undefined;
}
