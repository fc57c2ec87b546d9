import type { Trace, TraceSpan } from '../../types.js';

/** A span with its children, ordered by start time. */
export interface SpanNode {
  span: TraceSpan;
  children: SpanNode[];
  /** 0 for a root. */
  depth: number;
}

function byStart(a: SpanNode, b: SpanNode): number {
  const at = Date.parse(a.span.start_time);
  const bt = Date.parse(b.span.start_time);
  if (at !== bt) return (Number.isNaN(at) ? Infinity : at) - (Number.isNaN(bt) ? Infinity : bt);
  return a.span.span_id < b.span.span_id ? -1 : a.span.span_id > b.span.span_id ? 1 : 0;
}

/**
 * The trace's spans as a forest, whatever the input says: a span whose parent is absent from
 * the trace (another service's, or dropped by a cap) is a root; a span met again through a
 * parent cycle is cut there and becomes a root; a repeated `span_id` keeps its first span.
 * Every span of the input appears exactly once (duplicates aside), so no output loses one.
 * Iterative, so a 10,000-deep chain cannot overflow the stack.
 */
export function spanForest(trace: Pick<Trace, 'spans'>): SpanNode[] {
  const spans = Array.isArray(trace.spans) ? trace.spans : [];
  const nodes = new Map<string, SpanNode>();
  for (const span of spans) {
    if (span === null || typeof span !== 'object' || typeof span.span_id !== 'string') continue;
    if (!nodes.has(span.span_id)) nodes.set(span.span_id, { span, children: [], depth: 0 });
  }
  // A span is attached under its parent unless that would close a cycle.
  const parentOf = new Map<SpanNode, SpanNode>();
  for (const node of nodes.values()) {
    const parentId = node.span.parent_id;
    const parent = typeof parentId === 'string' ? nodes.get(parentId) : undefined;
    if (parent === undefined || parent === node) continue;
    let ancestor: SpanNode | undefined = parent;
    let closesCycle = false;
    while (ancestor !== undefined) {
      if (ancestor === node) {
        closesCycle = true;
        break;
      }
      ancestor = parentOf.get(ancestor);
    }
    if (closesCycle) continue;
    parentOf.set(node, parent);
    parent.children.push(node);
  }
  const roots = [...nodes.values()].filter((node) => !parentOf.has(node)).sort(byStart);
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop() as SpanNode;
    node.children.sort(byStart);
    for (const child of node.children) {
      child.depth = node.depth + 1;
      stack.push(child);
    }
  }
  return roots;
}

/** The forest in display order (each span before its children, siblings by start time). */
export function spansInOrder(roots: readonly SpanNode[]): SpanNode[] {
  const out: SpanNode[] = [];
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const node = stack.pop() as SpanNode;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as SpanNode);
  }
  return out;
}
