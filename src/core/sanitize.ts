import type { Meta, MetaValue } from '../types.js';
import { REDACTED, type Redactor } from './redaction.js';

/** Depth below which nested objects are replaced by a marker: keeps one bad meta from costing a deep walk. */
const MAX_DEPTH = 6;
/** Keys kept per object and items kept per array; the rest is summarised by a marker. */
const MAX_KEYS = 128;
const MORE_KEYS = '…';

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
 * Cuts a string longer than `max`, ending it with a marker that says how much was cut.
 * @example truncate('x'.repeat(5000), 2048) // 'xxx…[truncated 2952 chars]'
 */
export function truncate(value: string, max: number): string {
  return value.length <= max
    ? value
    : `${value.slice(0, max)}…[truncated ${value.length - max} chars]`;
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

/** A stage or action name: strings as given (truncated), anything else through `String()`. */
export function labelOf(value: unknown, max: number): string {
  if (typeof value === 'string') return value.length <= max ? value : truncate(value, max);
  try {
    return truncate(String(value), max);
  } catch {
    return '[unprintable]';
  }
}

/**
 * A JSON-safe copy of one meta value, taken at call time so that later mutation by the caller
 * does not rewrite history. Documented outcomes:
 * strings truncated with a marker; non-finite numbers and bigints become strings; Dates become
 * ISO strings; Errors become `{ name, message }`; functions and symbols become descriptive strings;
 * Maps become objects, Sets arrays; circular references become '[Circular]'; nesting deeper than
 * 6 levels becomes '[Object]'/'[Array]'; objects and arrays keep 128 entries plus a '…' marker.
 * `undefined` is returned for `undefined` so that the caller can omit the key.
 */
export function sanitizeValue(
  value: unknown,
  max: number,
  redactor?: Redactor,
): MetaValue | undefined {
  switch (typeof value) {
    case 'string':
      return value.length <= max ? value : truncate(value, max);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'undefined':
      return undefined;
    case 'bigint':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
    default:
      return value === null ? null : sanitizeObject(value as object, max, 0, [], redactor);
  }
}

function sanitizeObject(
  value: object,
  max: number,
  depth: number,
  seen: object[],
  redactor?: Redactor,
): MetaValue {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  }
  if (value instanceof Error) {
    return { name: labelOf(value.name, max), message: labelOf(value.message, max) };
  }
  if (value instanceof RegExp) return truncate(String(value), max);
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`;
  if (seen.includes(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[Array]' : '[Object]';
  seen.push(value);
  try {
    if (Array.isArray(value) || value instanceof Set) {
      return sanitizeList(Array.from(value as Iterable<unknown>), max, depth, seen, redactor);
    }
    if (value instanceof Map) {
      return sanitizeEntries(Array.from(value.entries()), max, depth, seen, redactor);
    }
    return sanitizeEntries(ownEntries(value), max, depth, seen, redactor);
  } finally {
    seen.pop();
  }
}

function nested(
  value: unknown,
  max: number,
  depth: number,
  seen: object[],
  redactor?: Redactor,
): MetaValue | undefined {
  return value !== null && typeof value === 'object'
    ? sanitizeObject(value, max, depth + 1, seen, redactor)
    : sanitizeValue(value, max);
}

function sanitizeList(
  items: unknown[],
  max: number,
  depth: number,
  seen: object[],
  redactor?: Redactor,
): MetaValue[] {
  const out: MetaValue[] = [];
  const n = Math.min(items.length, MAX_KEYS);
  for (let i = 0; i < n; i++) out.push(nested(items[i], max, depth, seen, redactor) ?? null);
  if (items.length > n) out.push(`${MORE_KEYS}${items.length - n} more items`);
  return out;
}

function sanitizeEntries(
  entries: Array<[unknown, unknown]>,
  max: number,
  depth: number,
  seen: object[],
  redactor?: Redactor,
): Meta {
  const out: Meta = {};
  let kept = 0;
  for (const [key, raw] of entries) {
    if (kept === MAX_KEYS) {
      out[MORE_KEYS] = `${entries.length - kept} more keys`;
      break;
    }
    const label = labelOf(key, max);
    const v = redactor?.redacts(label) ? REDACTED : nested(raw, max, depth, seen, redactor);
    if (v === undefined) continue;
    setKey(out, label, v);
    kept++;
  }
  return out;
}

/** Own enumerable entries; a getter that throws yields a marker instead of an exception. */
function ownEntries(value: object): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = [];
  for (const key of Object.keys(value)) {
    let v: unknown;
    try {
      v = (value as Record<string, unknown>)[key];
    } catch {
      v = '[Thrown]';
    }
    entries.push([key, v]);
  }
  return entries;
}

/**
 * A sanitized snapshot of caller meta, or undefined when there is nothing to keep.
 * A non-object meta (e.g. a string) is kept as `{ value: ... }`.
 * Hot path: a small literal of primitives costs one loop and one allocation.
 */
export function sanitizeMeta(meta: unknown, max: number, redactor?: Redactor): Meta | undefined {
  if (meta === undefined || meta === null) return undefined;
  if (typeof meta !== 'object' || Array.isArray(meta)) {
    const v = sanitizeValue(meta, max, redactor);
    return v === undefined ? undefined : { value: v };
  }
  const src = meta as Record<string, unknown>;
  const fast = copyOfPlainMeta(src, max, redactor);
  if (fast !== undefined) return fast === EMPTY ? undefined : fast;
  const out: Meta = {};
  let kept = 0;
  let total = 0;
  for (const key in src) {
    if (!Object.prototype.hasOwnProperty.call(src, key)) continue;
    total++;
    if (kept === MAX_KEYS) continue;
    let raw: unknown;
    try {
      raw = src[key];
    } catch {
      raw = '[Thrown]';
    }
    const v = redactor?.redacts(key) ? REDACTED : sanitizeValue(raw, max, redactor);
    if (v === undefined) continue;
    setKey(out, key.length <= max ? key : truncate(key, max), v);
    kept++;
  }
  if (total > kept && kept === MAX_KEYS) out[MORE_KEYS] = `${total - kept} more keys`;
  return kept === 0 ? undefined : out;
}

/** What `copyOfPlainMeta` returns for a meta with no own enumerable key. */
const EMPTY: Meta = Object.freeze({});

/**
 * The fast path of `sanitizeMeta`, for the common meta: a flat object of at most MAX_KEYS short
 * keys, none redacted, holding short strings, finite numbers, booleans and nulls. Then a spread
 * copy (one allocation, copied by V8 as a whole) already is the sanitized meta. Undefined when
 * the meta needs the full walk (anything else, or a getter that throws).
 */
function copyOfPlainMeta(
  src: Record<string, unknown>,
  max: number,
  redactor: Redactor | undefined,
): Meta | undefined {
  let copy: Record<string, unknown>;
  try {
    copy = { ...src };
  } catch {
    return undefined;
  }
  let keys = 0;
  for (const key in copy) {
    const value = copy[key];
    switch (typeof value) {
      case 'string':
        if (value.length > max) return undefined;
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
