import { objectOf } from '../core/jsonShape.js';
import { META_BUDGET, sanitizeMeta } from '../core/sanitize.js';
import type { Meta } from '../types.js';

/**
 * The meta of a decision or log read from a file: sanitized as recorded meta is; undefined when
 * it is no object.
 */
export function metaOf(value: unknown): Meta | undefined {
  const fields = objectOf(value);
  return fields === undefined ? undefined : sanitizeMeta(fields, META_BUDGET.chars);
}
