import { optionOrDefault, reportInvalidOptions } from './checkOptions.js';
import { redactorFor, type Redactor } from './redaction/Redactor.js';
import type { ValueRule } from './redaction/valueRules.js';
import { reportInternalError } from './registry.js';

/**
 * Options of a traced request, given to `enable`, `withTracing` or an HTTP trigger. `undefined`
 * always means the default. `enable` and `withTracing` run on the request path and never throw:
 * there a wrong option is reported once (on `diag.warn`, else as a process warning, and in
 * `stats().misconfigurations`) and its default applies. `stepmark.checkOptions(options)` throws
 * the `TypeError`/`RangeError` instead: call it at start-up. The HTTP adapters and the processor
 * check their `tracerOptions` at creation.
 * @example stepmark.withTracing(handle, stepmark.checkOptions({ maxEvents: 500, traceMeta: { route: '/checkout' } }))
 */
export interface StepmarkOptions {
  /**
   * Cap on decision events per request: a whole number, 0 = no limit; `track` calls do not count.
   * Default 10,000.
   */
  maxEvents?: number;
  /**
   * Cap on entities per request: a whole number, 0 = no limit; calls for further entities are
   * dropped and counted. Default 10,000.
   */
  maxEntities?: number;
  /**
   * Cap on state accesses per request (`stepmark-otel/concurrency`): a whole number, 0 = no limit;
   * accesses past it are neither kept nor written, counted in `dropped_state`. Default 10,000.
   */
  maxStateAccesses?: number;
  /**
   * Whether a state access records the user's source location (`file:line:column`), which a race
   * report names. Taking the stack costs microseconds per access: turn it off for accesses in a
   * hot loop. Default true.
   */
  stateLocations?: boolean;
  /**
   * Strings in meta, ids, stages and actions longer than this are truncated with a marker: a
   * whole number of at least 16 (there is no "no limit"). Default 2,048.
   */
  maxStringLength?: number;
  /** Time source for event timestamps, for tests: a function returning a Date. Default: the high-resolution process clock. */
  clock?: () => Date;
  /** Request-level meta (an object): in the JSON `meta` and on the local root span as `stepmark.trace.meta.<key>`. */
  traceMeta?: Record<string, unknown>;
  /** Which entities to record (a function); applies to every entity-scoped call, never to `record`/`step`/`enter`. */
  entityFilter?: (entityId: string) => boolean;
  /**
   * Meta keys (and span attribute names) whose values are replaced by '[REDACTED]' before
   * anything is stored, at any depth. A key is redacted when one of these terms occurs in it as
   * whole words, case-insensitively, split at `_`, `-`, `.` and camelCase (`api_key` matches
   * `X-Api-Key` and `apiKey`; `card_number` does not match `card_type`), unless only describing
   * words follow (`token_count`, `email_verified`). An array of at most 256 non-empty strings.
   * Default: `DEFAULT_REDACT_KEYS`; extend it with `[...DEFAULT_REDACT_KEYS, 'note']`. `[]` turns
   * key redaction off.
   */
  redactKeys?: readonly string[];
  /**
   * Opt-in redaction by value, whatever the key: `'jwt'`, `'bearer'`, `'card'` (numbers that pass
   * the Luhn check), or RegExps of your own; what they find in a string is replaced by
   * '[REDACTED]'. An array of at most 256 rules. Default none.
   * @example { redactValues: ['jwt', 'bearer', 'card', /\bAKIA[0-9A-Z]{16}\b/] }
   */
  redactValues?: readonly ValueRule[];
  /**
   * Actions that mean something went wrong (`['blocked', 'rejected', 'failed']`): a decision with
   * one of them marks the span it is written on with error status (its message the decision,
   * `fraud_check: blocked`), so that Jaeger shows the request red in its search list and
   * timeline. A status the application set is kept. An array of at most 256 non-empty strings.
   * Default none.
   */
  errorActions?: readonly string[];
}

/** Options with every default applied. */
export interface ResolvedOptions {
  maxEvents: number;
  maxEntities: number;
  maxStateAccesses: number;
  stateLocations: boolean;
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
const DEFAULT_MAX_STATE = 10_000;
const DEFAULT_MAX_STRING_LENGTH = 2_048;
/** What "no limit" (0) is resolved to for a cap compared with `>=`. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

function noLimitAtZero(max: number): number {
  return max === 0 ? NO_LIMIT : max;
}

/**
 * Applies defaults on the request path: a wrong option is reported once and its default applies
 * (see `optionOrDefault`); options that are no object are reported and all defaults apply.
 */
export function resolveOptions(options: StepmarkOptions | undefined): ResolvedOptions {
  if (options === undefined) return (defaults ??= resolve({}));
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    reportInvalidOptions(options);
    return (defaults ??= resolve({}));
  }
  return resolve(options);
}

/** The defaults, resolved once: most requests are enabled without options. */
let defaults: ResolvedOptions | undefined;

function resolve(o: StepmarkOptions): ResolvedOptions {
  const maxEntities = optionOrDefault(o, 'maxEntities') ?? DEFAULT_MAX_ENTITIES;
  return {
    // maxEvents keeps 0 (its readers test `max !== 0`); maxEntities' reader compares with `<`.
    maxEvents: optionOrDefault(o, 'maxEvents') ?? DEFAULT_MAX_EVENTS,
    maxEntities: maxEntities === 0 ? NO_LIMIT : maxEntities,
    maxStateAccesses: noLimitAtZero(optionOrDefault(o, 'maxStateAccesses') ?? DEFAULT_MAX_STATE),
    stateLocations: optionOrDefault(o, 'stateLocations') ?? true,
    maxStringLength: optionOrDefault(o, 'maxStringLength') ?? DEFAULT_MAX_STRING_LENGTH,
    clock: optionOrDefault(o, 'clock'),
    traceMeta: optionOrDefault(o, 'traceMeta'),
    entityFilter: optionOrDefault(o, 'entityFilter'),
    redactor: redactorOf(optionOrDefault(o, 'redactKeys'), optionOrDefault(o, 'redactValues')),
    errorActions: errorActionsOf(optionOrDefault(o, 'errorActions')),
  };
}

/**
 * The redactor of the options (checked already). Options given on the request path must not
 * throw there: should the redactor still refuse them (a list changed under us), that is reported
 * and the default rules apply instead (never fewer).
 */
function redactorOf(
  keys: readonly string[] | undefined,
  values: readonly ValueRule[] | undefined,
): Redactor {
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

/** The `errorActions` option, checked already (`optionOrDefault`), as a set; undefined when empty. */
function errorActionsOf(actions: readonly string[] | undefined): ReadonlySet<string> | undefined {
  return actions !== undefined && actions.length > 0 ? new Set(actions) : undefined;
}
