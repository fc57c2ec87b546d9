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
  // A span is attached under its parent unless that would close a cycle: the span is still the
  // root of its own tree, so attaching it closes one exactly when the parent's tree has it as
  // root. Trees are tracked with union-find (each set records its real root), so a 10,000-deep
  // chain costs near-linear time instead of a walk up the ancestors per span.
  const parentOf = new Map<SpanNode, SpanNode>();
  const order = [...nodes.values()];
  const index = new Map<SpanNode, number>(order.map((node, i) => [node, i]));
  const set = order.map((_, i) => i);
  const size = order.map(() => 1);
  const rootOfSet = order.map((_, i) => i);
  const find = (i: number): number => {
    let r = i;
    while (set[r] !== r) r = set[r] as number;
    while (set[i] !== r) {
      const next = set[i] as number;
      set[i] = r;
      i = next;
    }
    return r;
  };
  order.forEach((node, i) => {
    const parentId = node.span.parent_id;
    const parent = typeof parentId === 'string' ? nodes.get(parentId) : undefined;
    if (parent === undefined || parent === node) return;
    const parentSet = find(index.get(parent) as number);
    const treeRoot = rootOfSet[parentSet] as number;
    if (treeRoot === i) return; // closes a cycle
    parentOf.set(node, parent);
    parent.children.push(node);
    const nodeSet = find(i);
    const [big, small] =
      (size[nodeSet] as number) >= (size[parentSet] as number)
        ? [nodeSet, parentSet]
        : [parentSet, nodeSet];
    set[small] = big;
    size[big] = (size[big] as number) + (size[small] as number);
    rootOfSet[big] = treeRoot;
  });
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
