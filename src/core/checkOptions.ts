// Options are checked where they are given: one rule per option, shared by `checkOptions` (which
// throws), the request path (which reports once and applies the default) and the constructors of
// the processor and the HTTP adapters (which throw at creation).
import { reportMisconfiguration } from './diagnostics.js';
import type { StepmarkOptions } from './options.js';
import type { ValueRule } from './redaction/valueRules.js';
import { registry } from './registry.js';

/** Shortest `maxStringLength` taken: below it an id or a stage would be cut to nothing useful. */
export const MIN_STRING_LENGTH = 16;

/** Entries `redactKeys`, `redactValues` and `errorActions` take at most (each is read whole). */
export const MAX_OPTION_LIST = 256;

/** Longest string shown of a wrong value in an error message. */
const SHOWN_CHARS = 40;

/**
 * A wrong value that may be a secret (`authorize: process.env.TOKEN`): messages say what type it
 * is, never what it says, since they reach logs.
 */
export class Undisclosed {
  constructor(readonly description: string) {}
}

/** `value`, or an `Undisclosed` in place of a string, for options a secret may be passed to by mistake. */
export function undisclosedString(value: unknown): unknown {
  return typeof value === 'string' ? new Undisclosed('a string') : value;
}

/** What a wrong value is shown as in a message: `-1`, `'3'`, `10n`, `null`, `an array of 2`. Never throws. */
export function describeValue(value: unknown): string {
  try {
    switch (typeof value) {
      case 'string': {
        const cut = value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}...` : value;
        // JSON escapes controls (CR/LF stay on one line); quoted as the TSDoc examples are.
        return `'${JSON.stringify(cut).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
      }
      case 'number':
        return Object.is(value, -0) ? '-0' : String(value);
      case 'bigint':
        return `${value}n`;
      case 'boolean':
      case 'undefined':
        return String(value);
      case 'symbol':
        return 'a symbol';
      case 'function':
        return 'a function';
      default:
        if (value === null) return 'null';
        if (Array.isArray(value)) return `an array of ${(value as unknown[]).length}`;
        if (value instanceof RegExp) return 'a RegExp';
        if (value instanceof Undisclosed) return value.description;
        if (value instanceof Number || value instanceof String || value instanceof Boolean)
          return `a ${value.constructor.name} object`;
        return 'an object';
    }
  } catch {
    return 'a value that cannot be read';
  }
}

/** `stepmark-otel: <name> must be <expects>, got <value>[: <hint>]`. */
function message(name: string, expects: string, value: unknown, hint?: string): string {
  return `stepmark-otel: ${name} must be ${expects}, got ${describeValue(value)}${hint === undefined ? '' : `: ${hint}`}`;
}

/** A TypeError naming the option, what it got and what it accepts. */
export function typeError(name: string, expects: string, value: unknown, hint?: string): TypeError {
  return new TypeError(message(name, expects, value, hint));
}

/** A RangeError naming the option, what it got and what it accepts. */
export function rangeError(
  name: string,
  expects: string,
  value: unknown,
  hint?: string,
): RangeError {
  return new RangeError(message(name, expects, value, hint));
}

/** The range a whole-number option takes, and how it is described in messages. */
export interface IntegerRule {
  readonly min: number;
  readonly max?: number;
  /** E.g. 'a non-negative integer (0 = no limit)'. */
  readonly expects: string;
}

/** A whole number >= 0 where 0 means no limit (`maxEvents`, `maxEntities`, `maxSpans`). */
export const NO_LIMIT_AT_ZERO: IntegerRule = {
  min: 0,
  expects: 'a non-negative integer (0 = no limit)',
};

/** A whole number >= 1: a cap or a duration that must hold something (0 is refused). */
export const POSITIVE: IntegerRule = { min: 1, expects: 'a positive integer' };

/**
 * An integer option: undefined stays undefined (the default applies); a number that is not a
 * whole number in range is a RangeError; anything else, a string `'3'` included, a TypeError.
 */
export function integerOption(name: string, value: unknown, rule: IntegerRule): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw typeError(name, rule.expects, value);
  if (
    !Number.isSafeInteger(value) ||
    value < rule.min ||
    (rule.max !== undefined && value > rule.max)
  ) {
    throw rangeError(name, rule.expects, value);
  }
  return value === 0 ? 0 : value; // -0 becomes 0
}

/**
 * A callback option: a function, or undefined. A string (what a plain-JS caller writes for a
 * header name or a mode) is a TypeError that says what to write instead (`hint`).
 */
export function functionOption<F>(
  name: string,
  value: unknown,
  signature: string,
  hint?: (given: string) => string,
): F | undefined {
  if (value === undefined || typeof value === 'function') return value as F | undefined;
  const expects = `a function ${signature}`;
  throw typeError(
    name,
    expects,
    value,
    (typeof value === 'string' || value instanceof Undisclosed) && hint !== undefined
      ? hint(String(value))
      : undefined,
  );
}

/** A boolean option (`true`/`false`), or undefined. */
export function booleanOption(name: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw typeError(name, 'true or false', value);
}

/** One of `allowed` (strings), or undefined; a TypeError listing them otherwise. */
export function oneOfOption<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined;
  throw typeError(name, allowed.map((a) => `'${a}'`).join(' or '), value);
}

/** Whether `value` is an object (not null, not an array, not a function). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object option (`traceMeta`, `rateLimit`), or undefined. */
export function objectOption<T extends object>(
  name: string,
  value: unknown,
  expects: string,
): T | undefined {
  if (value === undefined || isPlainObject(value)) return value as T | undefined;
  throw typeError(name, expects, value);
}

/**
 * A list option: an array of at most `max` entries, each checked by `item` (which throws for a
 * wrong one, named `name[i]`); `hint` says what to write instead of a string. Its length is checked before any entry is read: a sparse list of
 * length 2³² would take minutes to walk.
 */
export function listOption<T>(
  name: string,
  value: unknown,
  max: number,
  expects: string,
  item: (entry: unknown, name: string) => T,
  hint?: (given: string) => string,
): T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    const advice = typeof value === 'string' && hint !== undefined ? hint(value) : undefined;
    throw typeError(name, `an array of ${expects}`, value, advice);
  }
  const list = value as readonly unknown[];
  if (list.length > max) {
    throw new RangeError(
      `stepmark-otel: ${name}: at most ${max} entries, got an array of ${list.length}`,
    );
  }
  const checked: T[] = [];
  for (let i = 0; i < list.length; i++) checked.push(item(list[i], `${name}[${i}]`));
  return checked;
}

/** An RFC 9110 token: what a header name is (and what an environment variable name fits in). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A name option (a header name, an environment variable): a token string, or undefined. */
export function nameOption(name: string, value: unknown, expects: string): string | undefined {
  if (value === undefined || (typeof value === 'string' && TOKEN.test(value))) return value;
  throw typeError(name, expects, value);
}

/** A URL option: an absolute http(s) URL, or undefined. */
export function urlOption(name: string, value: unknown, expects: string): string | undefined {
  if (value === undefined) return value;
  if (typeof value === 'string' && URL.canParse(value)) {
    const { protocol } = new URL(value);
    if (protocol === 'http:' || protocol === 'https:') return value;
  }
  throw typeError(name, expects, value);
}

/** A list item that must be a non-empty string (for `listOption`). */
export function nonEmptyString(value: unknown, name: string): string {
  if (typeof value === 'string' && value !== '') return value;
  throw typeError(name, 'a non-empty string', value);
}

const VALUE_RULES: readonly string[] = ['jwt', 'bearer', 'card'];

function valueRule(value: unknown, name: string): ValueRule {
  if (value instanceof RegExp || VALUE_RULES.includes(value as string)) return value as ValueRule;
  throw typeError(name, `'jwt', 'bearer', 'card' or a RegExp`, value);
}

/**
 * The options themselves: an object, or undefined for the defaults. Anything else (`5`, a
 * string, an array) is a TypeError naming `where`.
 */
export function optionsObject<T extends object>(where: string, value: unknown): T | undefined {
  if (value === undefined || isPlainObject(value)) return value as T | undefined;
  throw typeError(`the options of ${where}`, 'an object', value);
}

/** The rule of each option of `StepmarkOptions`: returns the value, or throws naming it. */
const STEPMARK_OPTION_CHECKS: {
  readonly [K in keyof Required<StepmarkOptions>]: (
    value: unknown,
    name: string,
  ) => StepmarkOptions[K] | undefined;
} = {
  maxEvents: (v, name) => integerOption(name, v, NO_LIMIT_AT_ZERO),
  maxEntities: (v, name) => integerOption(name, v, NO_LIMIT_AT_ZERO),
  maxStateAccesses: (v, name) => integerOption(name, v, NO_LIMIT_AT_ZERO),
  stateLocations: (v, name) => booleanOption(name, v),
  maxStringLength: (v, name) =>
    integerOption(name, v, {
      min: MIN_STRING_LENGTH,
      expects: `an integer of at least ${MIN_STRING_LENGTH}`,
    }),
  clock: (v, name) =>
    functionOption(name, v, '() => Date', (given) => `use () => new Date(${describeValue(given)})`),
  traceMeta: (v, name) => objectOption(name, v, 'an object of request-level meta'),
  entityFilter: (v, name) =>
    functionOption(
      name,
      v,
      '(entityId) => boolean',
      (given) => `use (id) => id.startsWith(${describeValue(given)})`,
    ),
  redactKeys: (v, name) => listOption(name, v, MAX_OPTION_LIST, 'strings', nonEmptyString),
  redactValues: (v, name) =>
    listOption(name, v, MAX_OPTION_LIST, `'jwt', 'bearer', 'card' or RegExps`, valueRule),
  errorActions: (v, name) => listOption(name, v, MAX_OPTION_LIST, 'strings', nonEmptyString),
};

/** The option names of `StepmarkOptions`, for spotting likely typos. */
const STEPMARK_OPTION_NAMES = Object.keys(STEPMARK_OPTION_CHECKS);

/**
 * Checks options of `enable`, `withTracing` and `tracerOptions` and returns them: a wrong one is
 * a `TypeError` (wrong type) or `RangeError` (number out of range) naming it, what it got and
 * what it accepts. `enable` and `withTracing` run on the request path and never throw: there a
 * wrong option is reported once on `diag` and the default applies. Call this at start-up to fail
 * fast instead. Unknown names are ignored (a likely typo of a known one is warned about once).
 * @example const options = stepmark.checkOptions({ maxEvents: 500 }); // at start-up
 */
export function checkOptions<T extends StepmarkOptions | undefined>(options: T): T;
export function checkOptions(options: unknown): StepmarkOptions | undefined;
export function checkOptions(options: unknown): StepmarkOptions | undefined {
  return checkStepmarkOptions(options, '');
}

/** `checkOptions` with the names prefixed (`tracerOptions.maxEvents`); a hostile object as a TypeError. */
export function checkStepmarkOptions(
  options: unknown,
  prefix: string,
): StepmarkOptions | undefined {
  try {
    const given =
      prefix === ''
        ? optionsObject<Record<string, unknown>>('checkOptions', options)
        : objectOption<Record<string, unknown>>(prefix, options, 'an object of StepmarkOptions');
    if (given === undefined) return undefined;
    for (const name of STEPMARK_OPTION_NAMES) {
      const check = STEPMARK_OPTION_CHECKS[name as keyof StepmarkOptions];
      check(given[name], `${prefix === '' ? '' : `${prefix}.`}${name}`);
    }
    warnLikelyTypos(prefix === '' ? 'StepmarkOptions' : prefix, given, STEPMARK_OPTION_NAMES);
    return given as StepmarkOptions;
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw error;
    throw new TypeError(
      `stepmark-otel: ${prefix || 'checkOptions'}: its options could not be read`,
      {
        cause: error,
      },
    );
  }
}

/**
 * On the request path: option `name` of `options` as its rule takes it, or undefined (the default
 * applies) when it is wrong, reported once per option name and counted in `internalErrors`.
 */
export function optionOrDefault<K extends keyof StepmarkOptions>(
  options: StepmarkOptions,
  name: K,
): StepmarkOptions[K] | undefined {
  try {
    return STEPMARK_OPTION_CHECKS[name]((options as Record<string, unknown>)[name], name);
  } catch (error) {
    reportInvalidOption(name, error);
    return undefined;
  }
}

/** Options that are no object (`enable(5)`) on the request path: reported once; defaults apply. */
export function reportInvalidOptions(options: unknown): void {
  reportInvalidOption('options', typeError('the options', 'an object', options));
}

function reportInvalidOption(name: string, error: unknown): void {
  registry.stats.internalErrors++;
  const reason =
    error instanceof TypeError || error instanceof RangeError
      ? error.message.replace(/^stepmark-otel: /, '')
      : `${name} could not be read`;
  reportMisconfiguration(
    `invalid-option:${name}`,
    `${reason}; the default applies (stepmark.checkOptions(options) at start-up throws instead)`,
  );
}

/** Keys of an options object looked at for typos, at most. */
const MAX_KEYS_LOOKED_AT = 64;

/**
 * Warns once per known name about an unknown key that is a likely typo of it (`maxEvent`,
 * `MaxEvents`, `tigger`): unknown keys are no error, but such a one is almost always a mistake
 * whose option silently keeps its default. Only at creation, never on the request path. Never throws.
 */
export function warnLikelyTypos(where: string, options: object, known: readonly string[]): void {
  try {
    const keys = Object.keys(options);
    for (let i = 0; i < keys.length && i < MAX_KEYS_LOOKED_AT; i++) {
      const key = keys[i] as string;
      if (known.includes(key) || key.length < 4 || key.length > 64) continue;
      const lower = key.toLowerCase();
      const match = known.find((name) => editDistanceAtMost2(lower, name.toLowerCase()));
      if (match === undefined) continue;
      reportMisconfiguration(
        `likely-typo:${match}`,
        `unknown option '${key}' in ${where} is ignored: did you mean '${match}'?`,
      );
    }
  } catch {
    // a Proxy whose ownKeys trap throws: its options were read already, the typo hint is optional
  }
}

/** Whether `a` and `b` differ by at most 2 insertions, deletions or substitutions. */
function editDistanceAtMost2(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const cell = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      row.push(cell);
      best = Math.min(best, cell);
    }
    if (best > 2) return false;
    previous = row;
  }
  return (previous[b.length] as number) <= 2;
}
