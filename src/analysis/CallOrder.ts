import { spanForest, spansInOrder, type SpanNode } from '../export/formats/spanTree.js';
import type { StateAccess, Trace } from '../types.js';

/** How two accesses in different services are ordered by the call edges of their trace. */
export type CallOrdering = 'before' | 'after' | 'concurrent';

/** A span's time in whole milliseconds, the precision every service's timestamps share. */
interface Window {
  start: number;
  end: number;
}

/** Where an access sits below the lowest span two accesses share. */
interface Side {
  /** The child of the common span on the way to the access; undefined on the common span itself. */
  branch: SpanNode | undefined;
  /** The client span through which the way leaves the common span's service, if it does. */
  call: SpanNode | undefined;
}

function windowOf(node: SpanNode): Window | undefined {
  const start = Date.parse(node.span.start_time);
  if (!Number.isFinite(start)) return undefined;
  const duration = node.span.duration_ms;
  const end =
    typeof duration === 'number' && Number.isFinite(duration) && duration >= 0
      ? Math.floor(start + duration)
      : Date.parse(node.span.end_time);
  return { start, end: Number.isFinite(end) && end >= start ? end : start };
}

/**
 * The happens-before order that the call edges of a distributed trace give to accesses made in
 * different services (see docs/analysis.md). Built once per trace; each question walks the span
 * tree from the two accesses' spans up to the lowest span they share.
 *
 * Times are compared only within one service's clock (an access against its own service's client
 * span, two client spans of one service), at millisecond precision; a tie counts as ordered, so
 * clock skew between services and rounding never make a race.
 */
export class CallOrder {
  readonly #nodes = new Map<string, SpanNode>();
  readonly #parent = new Map<SpanNode, SpanNode>();

  constructor(trace: Pick<Trace, 'spans'>) {
    for (const node of spansInOrder(spanForest(trace))) {
      this.#nodes.set(node.span.span_id, node);
      for (const child of node.children) this.#parent.set(child, node);
    }
  }

  /**
   * How `a` is ordered against `b`: `before` (a happens before b), `after`, `concurrent`, or
   * undefined when the call edges do not say: the two are in one service (its own race detector
   * orders them), a span is not in the trace, or no client span separates them.
   */
  order(a: StateAccess, b: StateAccess): CallOrdering | undefined {
    const spanA = a.span_id === undefined ? undefined : this.#nodes.get(a.span_id);
    const spanB = b.span_id === undefined ? undefined : this.#nodes.get(b.span_id);
    if (spanA === undefined || spanB === undefined) return undefined;
    const serviceA = a.service ?? spanA.span.service;
    const serviceB = b.service ?? spanB.span.service;
    if (serviceA === undefined || serviceB === undefined || serviceA === serviceB) return undefined;
    const common = this.#lowestCommon(spanA, spanB);
    const service = common?.span.service;
    if (common === undefined || service === undefined) return undefined;
    const sideA = this.#side(common, spanA, service);
    const sideB = this.#side(common, spanB, service);
    if (sideA.call !== undefined && sideB.call !== undefined) {
      if (sideA.call === sideB.call) return undefined;
      const callA = windowOf(sideA.call);
      const callB = windowOf(sideB.call);
      if (callA === undefined || callB === undefined) return undefined;
      // Fan-out: calls that overlap in the caller's clock are concurrent branches.
      if (callA.end <= callB.start) return 'before';
      if (callB.end <= callA.start) return 'after';
      return 'concurrent';
    }
    if (sideB.call !== undefined) return this.#localAgainstCall(a, common, sideA, sideB.call);
    if (sideA.call !== undefined) {
      const reversed = this.#localAgainstCall(b, common, sideB, sideA.call);
      return reversed === 'before' ? 'after' : reversed === 'after' ? 'before' : reversed;
    }
    return undefined;
  }

  /**
   * A caller's own access against a call it made (or a sibling branch made): before the client
   * span started it happens before the callee's accesses; after the client span ended it happens
   * after them when it is on the path that awaited the call (on the common span, an ancestor of
   * the client span) or in a branch that began after the call ended; otherwise concurrent.
   */
  #localAgainstCall(
    access: StateAccess,
    common: SpanNode,
    side: Side,
    call: SpanNode,
  ): CallOrdering | undefined {
    const at = Date.parse(access.timestamp);
    const window = windowOf(call);
    if (!Number.isFinite(at) || window === undefined) return undefined;
    if (at <= window.start) return 'before';
    if (at < window.end) return 'concurrent';
    if (side.branch === undefined) return 'after'; // on the common span: the path that awaited
    const branch = windowOf(side.branch);
    if (branch !== undefined && branch.start >= window.end) return 'after';
    return 'concurrent';
  }

  #lowestCommon(a: SpanNode, b: SpanNode): SpanNode | undefined {
    let x: SpanNode | undefined = a;
    let y: SpanNode | undefined = b;
    while (x !== undefined && y !== undefined && x.depth > y.depth) x = this.#parent.get(x);
    while (x !== undefined && y !== undefined && y.depth > x.depth) y = this.#parent.get(y);
    while (x !== undefined && y !== undefined && x !== y) {
      x = this.#parent.get(x);
      y = this.#parent.get(y);
    }
    return x !== undefined && x === y ? x : undefined;
  }

  /** The way from `common` down to `node`: its first step, and where it leaves `service`. */
  #side(common: SpanNode, node: SpanNode, service: string): Side {
    let branch: SpanNode | undefined;
    let leaving: SpanNode | undefined;
    for (let n: SpanNode | undefined = node; n !== undefined && n !== common;) {
      const parent: SpanNode | undefined = this.#parent.get(n);
      if (n.span.service !== service) leaving = n; // the last one met going up is the first down
      if (parent === common) branch = n;
      n = parent;
    }
    return { branch, call: leaving === undefined ? undefined : this.#parent.get(leaving) };
  }
}
