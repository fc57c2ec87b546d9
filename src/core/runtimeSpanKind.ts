import type { RuntimeSpanKind } from '../types.js';
import { ATTR_RUNTIME_KIND } from './attributes.js';

/**
 * The JSON `kind` of a span from its attributes (`stepmark.runtime.kind`, written by
 * `stepmark-otel/runtime`), or undefined when it has none, or one of another value.
 * @example runtimeSpanKind({ 'stepmark.runtime.kind': 'region' }) // 'region'
 */
export function runtimeSpanKind(
  attributes: Readonly<Record<string, unknown>>,
): RuntimeSpanKind | undefined {
  const kind = attributes[ATTR_RUNTIME_KIND];
  return kind === 'task' || kind === 'region' ? kind : undefined;
}
