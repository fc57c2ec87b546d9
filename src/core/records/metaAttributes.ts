import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { Meta, MetaValue } from '../../types.js';
import { ATTR_META_PREFIX, ATTR_TRACE_META_PREFIX } from '../attributes.js';
import { META_BUDGET, sanitizeValue, setKey } from '../sanitize.js';

/** Primitives as they are; null, arrays and objects JSON-encoded (OTel attributes cannot nest). */
export function attributeValue(value: MetaValue): AttributeValue {
  return value !== null && typeof value !== 'object' ? value : JSON.stringify(value);
}

const MAX_CACHED_NAMES = 4_096;
const MAX_CACHED_KEY_LENGTH = 128;
let cachedNames = 0;

/**
 * The attribute names of one prefix, by meta key. A freshly concatenated key makes V8 hash and
 * internalize the string on every property store; meta keys repeat, so each name is built once.
 * Capped (all prefixes together), and only for keys of ordinary length, so that unbounded or huge
 * keys cannot grow it.
 */
export class PrefixedNames {
  readonly #names = new Map<string, string>();
  constructor(readonly prefix: string) {}

  /** `<prefix><key>`. */
  of(key: string): string {
    let name = this.#names.get(key);
    if (name === undefined) {
      name = this.prefix + key;
      if (cachedNames < MAX_CACHED_NAMES && key.length <= MAX_CACHED_KEY_LENGTH) {
        this.#names.set(key, name);
        cachedNames++;
      }
    }
    return name;
  }
}

/** `stepmark.meta.<key>`: meta of a record. */
export const META_NAMES = new PrefixedNames(ATTR_META_PREFIX);
/** `stepmark.trace.meta.<key>`: request meta, on the local root span. */
export const TRACE_META_NAMES = new PrefixedNames(ATTR_TRACE_META_PREFIX);

/** Writes each meta key as `<prefix><key>` into `attributes`. */
export function encodeMeta(attributes: Attributes, names: PrefixedNames, meta: Meta): void {
  for (const key in meta) {
    attributes[names.of(key)] = attributeValue(meta[key] as MetaValue);
  }
}

/**
 * A meta value as written on the span: primitives as they are; objects, arrays and null were
 * JSON-encoded, so a string that parses as one of those is decoded. (A string meta value that
 * happens to look like JSON comes back decoded: the span cannot tell the two apart.) What the
 * JSON holds is capped as live meta is (depth, keys, whole-value budget), so it always prints.
 */
export function decodeMetaValue(value: unknown): MetaValue {
  if (typeof value === 'string' && /^(?:[[{]|null$)/.test(value)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return value;
    }
    // The writer already cut each string to its limit: only the whole-value budget applies here.
    return sanitizeValue(parsed, META_BUDGET.chars) ?? null;
  }
  if (Array.isArray(value)) return value as MetaValue[];
  return value === undefined ? null : (value as MetaValue);
}

/** The `<prefix><key>` attributes as meta, or undefined when there are none. */
export function decodeMeta(
  attributes: Readonly<Record<string, unknown>>,
  prefix: string,
): Meta | undefined {
  let meta: Meta | undefined;
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith(prefix)) continue;
    meta ??= {};
    setKey(meta, key.slice(prefix.length), decodeMetaValue(value));
  }
  return meta;
}

/** A string attribute, or undefined when absent or of another type. */
export function stringAttribute(
  attributes: Readonly<Record<string, unknown>>,
  key: string,
): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' ? value : undefined;
}
