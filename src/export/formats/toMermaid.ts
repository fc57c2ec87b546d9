import type { Trace, TraceSpan } from '../../types.js';
import { mermaidText } from './mermaidText.js';
import { durationText, forestOf, nameOf, tagsOf } from './spanValues.js';
import { spansInOrder, type SpanNode } from './spanTree.js';

const DIRECTIONS = ['TD', 'TB', 'BT', 'RL', 'LR'] as const;

/** Which way a Mermaid flowchart grows: top-down (`TD`, same as `TB`), bottom-up, left or right. */
export type MermaidDirection = (typeof DIRECTIONS)[number];

/** Options of `toMermaid`. */
export interface MermaidOptions {
  /** Which way the tree grows. Default `'TD'`. */
  direction?: MermaidDirection;
  /** Tags to show under each span's duration, as `key: value` lines, or `'all'`. Default none. */
  tags?: readonly string[] | 'all';
}

/** A tag value longer than this is cut (with `…`), so one big tag cannot push the diagram past
 * Mermaid's `maxTextSize` (50,000 characters by default). */
const MAX_TAG_TEXT = 200;

/**
 * The trace's span tree as a Mermaid flowchart: one node per span, `parent --> child` edges,
 * siblings by start time. Node ids are `n0, n1, …` in display order, never the span's id or name;
 * each label is the span's name, its duration in ms (up to 3 decimals) with `, open` and
 * `, error` marks, then the chosen tags, every part escaped with Mermaid's entity codes (see
 * `mermaidText`), so no name or tag can end the label, add a statement, a `click`, a comment or a
 * directive. Spans with `status: 'error'` get class `error` (red), spans with `open: true` class
 * `open` (dashed border). Cycles and missing parents are handled as in `spanForest`; a trace with
 * no spans gives just the `flowchart` line; a malformed trace never throws.
 * Mermaid refuses more than 500 edges by default: for traces over 501 spans, initialize Mermaid
 * with a larger `maxEdges` (and `maxTextSize`).
 * @throws TypeError when `direction` or `tags` is not one of the documented values.
 * @example toMermaid(trace, { direction: 'LR', tags: ['http.route'] })
 */
export function toMermaid(trace: Trace, options: MermaidOptions = {}): string {
  const { direction, tags } = checkOptions(options);
  const nodes = spansInOrder(forestOf(trace));
  const ids = new Map<SpanNode, string>();
  nodes.forEach((node, index) => ids.set(node, `n${index}`));
  const lines = [`flowchart ${direction}`];
  for (const node of nodes) lines.push(`  ${ids.get(node)}["${label(node.span, tags)}"]`);
  for (const node of nodes) {
    for (const child of node.children) lines.push(`  ${ids.get(node)} --> ${ids.get(child)}`);
  }
  const errors = nodes.filter((node) => node.span.status === 'error');
  const open = nodes.filter((node) => node.span.open === true);
  if (errors.length > 0) {
    lines.push('  classDef error fill:#fde2e1,stroke:#c62828,color:#7f1d1d');
    lines.push(`  class ${errors.map((node) => ids.get(node)).join(',')} error`);
  }
  if (open.length > 0) {
    lines.push('  classDef open stroke-dasharray:5 3');
    lines.push(`  class ${open.map((node) => ids.get(node)).join(',')} open`);
  }
  return `${lines.join('\n')}\n`;
}

function checkOptions(options: MermaidOptions): {
  direction: MermaidDirection;
  tags: readonly string[] | 'all';
} {
  if (options === null || typeof options !== 'object')
    throw new TypeError(`toMermaid: options must be an object, got ${describe(options)}`);
  const direction: unknown = options.direction ?? 'TD';
  if (!(DIRECTIONS as readonly unknown[]).includes(direction))
    throw new TypeError(
      `toMermaid: direction must be one of ${DIRECTIONS.join(', ')}, got ${describe(direction)}`,
    );
  const tags: unknown = options.tags ?? [];
  if (tags !== 'all' && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string')))
    throw new TypeError(
      `toMermaid: tags must be 'all' or an array of tag names (strings), got ${describe(tags)}`,
    );
  return { direction: direction as MermaidDirection, tags: tags as readonly string[] | 'all' };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array with a non-string item';
  return value === null ? 'null' : typeof value;
}

/** Name, duration and tags, escaped, joined by Mermaid's line break. */
function label(span: TraceSpan, tags: readonly string[] | 'all'): string {
  const parts = [mermaidText(nameOf(span)), durationText(span)];
  const spanTags = tagsOf(span);
  if (spanTags !== undefined) {
    const keys = tags === 'all' ? Object.keys(spanTags) : tags;
    for (const key of keys) {
      if (!Object.hasOwn(spanTags, key)) continue;
      const value = tagText(spanTags[key]);
      // `#58;` rather than a bare `:`: Mermaid strips the last `;` of a line that has `style`, a
      // `:` and a `#` (its own `style x fill:#f00;` shorthand), which would break an entity code.
      if (value !== undefined) parts.push(`${mermaidText(key)}#58; ${mermaidText(value)}`);
    }
  }
  return parts.join('<br/>');
}

function tagText(value: unknown): string | undefined {
  let text: string | undefined;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'bigint') text = String(value);
  else {
    try {
      text = JSON.stringify(value);
    } catch {
      // A circular object: only a hand-made trace can hold one.
      text = '[unserializable]';
    }
  }
  if (text === undefined) return undefined;
  return text.length > MAX_TAG_TEXT ? `${text.slice(0, MAX_TAG_TEXT)}…` : text;
}
