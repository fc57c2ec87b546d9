import type { Meta, MetaValue } from '../types.js';
import { REDACTED, type Redactor } from './redaction/Redactor.js';

/** Depth below which nested objects are replaced by a marker: keeps one bad meta from costing a deep walk. */
const MAX_DEPTH = 6;
/** Keys kept per object and items kept per array; the rest is summarised by a marker. */
export const MAX_KEYS = 128;
const MORE_KEYS = '…';

/**
 * What one sanitized value may hold in all: values (objects, arrays and primitives) and string
 * characters (keys included). Depth and keys per object alone do not bound a value whose parts
 * share references: each path gets its own copy, and 4 levels of 128 keys are 128⁴ paths.
 * A flat meta of 128 keys, each with a string of the default 2,048 characters, fits.
 */
export const META_BUDGET = { values: 4_096, chars: 262_144 } as const;

/**
 * Called once for each cap a value met (a string cut, keys or items left out, depth, the whole
 * value's budget): the trace counts them as `truncated_meta`.
 */
export type OnCap = () => void;

/**
 * Sets `key` as an own data property, also when it is '__proto__' (which plain assignment would
 * turn into a prototype change): entity ids and meta keys come from callers.
 */
export function setKey<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

/**
 * Cuts a string longer than `max`, ending it with a marker that says how much was cut. The kept
 * part is a copy: a slice would keep the whole original alive (V8 shares the parent's
 * characters), and the original may be a 10 MB request body. A surrogate pair is never split.
 * @example truncate('x'.repeat(5000), 2048) // 'xxx…[truncated 2952 chars]'
 */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  const high = value.charCodeAt(max - 1);
  const end = high >= 0xd800 && high <= 0xdbff ? max - 1 : max;
  const head = Buffer.from(value.slice(0, end), 'utf16le').toString('utf16le');
  return `${head}…[truncated ${value.length - end} chars]`;
}

/**
 * Turns a caller's entity id into the string key it is recorded under, or undefined when unusable.
 * Strings are kept (truncated past `max`), finite numbers and bigints become their decimal string;
 * undefined, null, '', NaN, objects and symbols are rejected.
 */
export function entityIdOf(id: unknown, max: number): string | undefined {
  if (typeof id === 'string') return id.length === 0 ? undefined : truncate(id, max);
  if (typeof id === 'number') return Number.isFinite(id) ? String(id) : undefined;
  if (typeof id === 'bigint') return String(id);
  return undefined;
}

/**
 * A stage, action or kind: strings as given (truncated), arrays as `[Array(n)]` (`String()` would
 * join every element: 2³¹ of them, for a sparse one), anything else through `String()`.
 */
export function labelOf(value: unknown, max: number): string {
  if (typeof value === 'string') return value.length <= max ? value : truncate(value, max);
  try {
    if (Array.isArray(value)) return `[Array(${Number(value.length)})]`;
    return truncate(String(value), max);
  } catch {
    return '[unprintable]';
  }
}

/**
 * Whether `value` is a plain object (an object literal, `Object.create(null)`): the meta whose own
 * keys are its content. Typed arrays, Maps, Sets and class instances are walked as values.
 */
export function isPlainObject(value: object): boolean {
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  } catch {
    return false; // a Proxy whose trap throws
  }
}

/**
 * A JSON-safe copy of one value, taken at call time so that later mutation by the caller does
 * not rewrite history. Documented outcomes: strings truncated with a marker (and scrubbed by the
 * redactor's value rules); non-finite numbers and bigints become strings; Dates become ISO
 * strings; Errors become `{ name, message }`; functions and symbols become descriptive strings;
 * Maps become objects, Sets arrays; circular references become '[Circular]'; nesting deeper than
 * 6 levels becomes '[Object]'/'[Array]'; objects and arrays keep 128 entries plus a '…' marker;
 * past `META_BUDGET` the rest of the value is left out with a '…' marker. Keys are redacted
 * whole, before they are cut. `undefined` is returned for `undefined` so that the caller can
 * omit the key.
 */
export function sanitizeValue(
  value: unknown,
  max: number,
  redactor?: Redactor,
  onCap?: OnCap,
): MetaValue | undefined {
  // Span tags and meta values are mostly primitives: no walk for them.
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'undefined':
      return undefined;
    case 'string':
      if (value.length <= max && redactor?.scrubsValues !== true) return value;
  }
  return new MetaWalk(max, redactor, onCap).value(value, 0);
}

/**
 * A sanitized snapshot of caller meta, or undefined when there is nothing to keep.
 * A non-object meta (e.g. a string) is kept as `{ value: ... }`.
 * Hot path: a small literal of primitives costs one loop and one allocation.
 */
export function sanitizeMeta(
  meta: unknown,
  max: number,
  redactor?: Redactor,
  onCap?: OnCap,
): Meta | undefined {
  if (meta === undefined || meta === null) return undefined;
  if (typeof meta !== 'object' || Array.isArray(meta)) {
    const v = sanitizeValue(meta, max, redactor, onCap);
    return v === undefined ? undefined : { value: v };
  }
  // Only a plain object may be spread: `{ ...new Uint8Array(4e6) }` makes 4 million keys.
  const plain = isPlainObject(meta);
  if (plain) {
    const fast = copyOfPlainMeta(meta as Record<string, unknown>, max, redactor);
    if (fast !== undefined) return fast === EMPTY ? undefined : fast;
  }
  // The meta object itself is no level of nesting: its values are at depth 0, as a tag's value.
  const out = new MetaWalk(max, redactor, onCap).value(meta, -1);
  if (out === null || out === undefined) return undefined;
  if (typeof out !== 'object' || Array.isArray(out)) return { value: out }; // a Set, a typed array
  return Object.keys(out).length > 0 ? out : undefined;
}

/** One sanitizing walk: its settings, what is left of the budget, and the path (for cycles). */
class MetaWalk {
  #values: number = META_BUDGET.values;
  #chars: number = META_BUDGET.chars;
  readonly #path: object[] = [];

  constructor(
    readonly max: number,
    readonly redactor: Redactor | undefined,
    readonly onCap: OnCap | undefined,
  ) {}

  /** The sanitized `value`; undefined for undefined (the key is omitted). */
  value(value: unknown, depth: number): MetaValue | undefined {
    this.#values--;
    switch (typeof value) {
      case 'string':
        return this.#string(value);
      case 'number':
        return Number.isFinite(value) ? value : String(value);
      case 'boolean':
        return value;
      case 'undefined':
        return undefined;
      case 'bigint':
        return String(value);
      case 'symbol':
        return this.#string(value.toString());
      case 'function':
        return this.#string(`[Function ${functionName(value)}]`);
      default:
        if (value === null) return null;
        try {
          return this.#object(value as object, depth);
        } catch {
          return '[Thrown]'; // a Proxy whose traps throw, a getter of an Error ...
        }
    }
  }

  /** Whether the budget is spent: the caller leaves the rest out (one cap counted). */
  get #spent(): boolean {
    return this.#values <= 0 || this.#chars <= 0;
  }

  #cap(): void {
    this.onCap?.();
  }

  #string(text: string): string {
    const room = Math.max(16, Math.min(this.max, this.#chars));
    let out = text;
    if (out.length > room) {
      out = truncate(out, room);
      this.#cap();
    }
    if (this.redactor?.scrubsValues === true) out = this.redactor.scrub(out);
    this.#chars -= out.length;
    return out;
  }

  #object(value: object, depth: number): MetaValue {
    if (value instanceof Date) {
      return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    }
    if (value instanceof Error) {
      return { name: this.#label(keyOf(value.name)), message: this.#label(keyOf(value.message)) };
    }
    if (value instanceof RegExp) return this.#string(String(value));
    if (ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`;
    if (this.#path.includes(value)) return '[Circular]';
    if (depth >= MAX_DEPTH) {
      this.#cap();
      return Array.isArray(value) ? '[Array]' : '[Object]';
    }
    this.#path.push(value);
    try {
      if (Array.isArray(value)) return this.#list(value, value.length, depth);
      if (value instanceof Set) return this.#list(value, value.size, depth);
      if (value instanceof Map) return this.#entries(value.entries(), value.size, depth);
      const keys = Object.keys(value);
      return this.#entries(ownEntries(value, keys), keys.length, depth);
    } finally {
      this.#path.pop();
    }
  }

  /** The items of an array or Set: at most MAX_KEYS, read no further than that. */
  #list(items: Iterable<unknown>, size: number, depth: number): MetaValue[] {
    const out: MetaValue[] = [];
    if (!this.#spent) {
      for (const item of items) {
        out.push(this.value(item, depth + 1) ?? null);
        if (out.length === MAX_KEYS || this.#spent) break; // before the iterator reads one more
      }
    }
    if (size > out.length) {
      out.push(`${MORE_KEYS}${size - out.length} more items`);
      this.#cap();
    }
    return out;
  }

  /** The entries of an object or Map: at most MAX_KEYS, read no further than that. */
  #entries(entries: Iterable<[unknown, unknown]>, size: number, depth: number): Meta {
    const out: Meta = {};
    let seen = 0;
    let kept = 0;
    if (!this.#spent) {
      for (const [key, raw] of entries) {
        seen++;
        // The whole key decides redaction; only then is it cut.
        const name = keyOf(key);
        const v = this.redactor?.redacts(name) === true ? REDACTED : this.value(raw, depth + 1);
        if (v !== undefined) {
          setKey(out, this.#label(name), v);
          kept++;
        }
        if (kept === MAX_KEYS || this.#spent) break; // before the next getter runs
      }
    }
    if (size > seen) {
      out[MORE_KEYS] = `${size - seen} more keys`;
      this.#cap();
    }
    return out;
  }

  /** A key, an Error's name or message: cut at `max` (not by the budget: it is shown whole). */
  #label(text: string): string {
    let label = text;
    if (label.length > this.max) {
      label = truncate(label, this.max);
      this.#cap();
    }
    this.#chars -= label.length;
    return label;
  }
}

/** A function's name, for its marker; its `name` may be any getter. */
function functionName(fn: { readonly name: unknown }): string {
  try {
    return String(fn.name) || 'anonymous';
  } catch {
    return 'anonymous';
  }
}

/** A Map key or property name as the string it is shown under. */
function keyOf(key: unknown): string {
  if (typeof key === 'string') return key;
  try {
    return String(key);
  } catch {
    return '[unprintable]';
  }
}

/**
 * Own enumerable entries, read lazily (a walk stops at MAX_KEYS or the budget, whatever the
 * object's size); a getter that throws yields a marker instead of an exception.
 */
function* ownEntries(value: object, keys: readonly string[]): Generator<[string, unknown]> {
  for (const key of keys) {
    let v: unknown;
    try {
      v = (value as Record<string, unknown>)[key];
    } catch {
      v = '[Thrown]';
    }
    yield [key, v];
  }
}

/** What `copyOfPlainMeta` returns for a meta with no own enumerable key. */
const EMPTY: Meta = Object.freeze({});

/**
 * The fast path of `sanitizeMeta`, for the common meta: a flat object of at most MAX_KEYS short
 * keys, none redacted, holding short strings, finite numbers, booleans and nulls, with no value
 * rules to apply. Then a spread copy (one allocation, copied by V8 as a whole) already is the
 * sanitized meta. Undefined when the meta needs the full walk (anything else, or a getter that
 * throws).
 */
function copyOfPlainMeta(
  src: Record<string, unknown>,
  max: number,
  redactor: Redactor | undefined,
): Meta | undefined {
  if (redactor?.scrubsValues === true) return undefined;
  let copy: Record<string, unknown>;
  try {
    copy = { ...src };
  } catch {
    return undefined;
  }
  let keys = 0;
  let chars = 0;
  for (const key in copy) {
    const value = copy[key];
    switch (typeof value) {
      case 'string':
        if (value.length > max || (chars += value.length) > META_BUDGET.chars) return undefined;
        break;
      case 'number':
        if (!Number.isFinite(value)) return undefined;
        break;
      case 'boolean':
        break;
      default:
        if (value !== null) return undefined;
    }
    if (++keys > MAX_KEYS || key.length > max || redactor?.redacts(key) === true) return undefined;
  }
  return keys === 0 ? EMPTY : (copy as Meta);
}

/** A deep copy of sanitized (JSON-safe, acyclic) data. */
export function cloneMeta<T extends MetaValue>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => cloneMeta(v)) as T;
  const out: Meta = {};
  for (const key of Object.keys(value))
    setKey(out, key, cloneMeta((value as Meta)[key] as MetaValue));
  return out as T;
}
