import { spanForest, type SpanNode } from '../export/formats/spanTree.js';
import type { CriticalPath, CriticalPathSegment, Trace } from '../types.js';
import { spanWindow, type SpanWindow } from './spanWindow.js';

/** A span on the path and the part of its window the path runs through (microseconds). */
interface Visit {
  node: SpanNode;
  from: number;
  to: number;
}

/** A child clamped into its parent's part of the path. */
interface Candidate {
  node: SpanNode;
  start: number;
  end: number;
}

/**
 * The critical path of a trace in wall-clock time: the chain of spans that made it as long as it
 * was, each span's `self_ms` the part of the path it owns, so that nothing is counted twice and
 * the segments add up to `duration_ms` (the root's duration).
 *
 * The walk is the standard backwards one: from the end of a span, the path goes into the child
 * that was still running last (children clamped to the part of the parent being walked); from that
 * child's start it looks again, among the children that started earlier; time no child covers is
 * the span's own. Parallel children that end earlier are off the path; nested spans count once.
 * With several roots (a trace whose parent span is elsewhere) the longest root is taken. An open
 * span counts up to its emission time, and its segment says `open`. Spans without a start time
 * are left out. Undefined when no span has a time. O(n log n) and iterative (no deep recursion).
 * @example criticalPath(trace)?.segments.map((s) => `${s.name} ${s.self_ms} ms`)
 */
export function criticalPath(trace: Pick<Trace, 'spans'>): CriticalPath | undefined {
  const roots = spanForest(trace);
  const windows = new Map<SpanNode, SpanWindow>();
  let origin = Infinity;
  let root: Candidate | undefined;
  const stack: SpanNode[] = [...roots];
  while (stack.length > 0) {
    const node = stack.pop() as SpanNode;
    const window = spanWindow(node.span);
    if (window !== undefined) {
      windows.set(node, window);
      if (window.start < origin) origin = window.start;
    }
    for (const child of node.children) stack.push(child);
  }
  for (const node of roots) {
    const window = windows.get(node);
    if (window === undefined) continue;
    if (
      root === undefined ||
      window.end - window.start > root.end - root.start ||
      (window.end - window.start === root.end - root.start && window.start < root.start)
    ) {
      root = { node, ...window };
    }
  }
  if (root === undefined) return undefined;

  const segments: CriticalPathSegment[] = [];
  const visits: Visit[] = [{ node: root.node, from: root.start, to: root.end }];
  while (visits.length > 0) {
    const { node, from, to } = visits.pop() as Visit;
    const candidates: Candidate[] = [];
    for (const child of node.children) {
      const window = windows.get(child);
      if (window === undefined) continue;
      const start = Math.max(window.start, from);
      const end = Math.min(window.end, to);
      if (end > start) candidates.push({ node: child, start, end });
    }
    // Latest end first; of two that end together, the one that started first covers more.
    candidates.sort((a, b) => b.end - a.end || a.start - b.start);
    let cursor = to;
    let self = 0;
    const chosen: Visit[] = [];
    for (const candidate of candidates) {
      if (cursor <= from) break;
      // Started at or after the cursor: its time is already covered by a later child.
      if (candidate.start >= cursor) continue;
      const end = Math.min(candidate.end, cursor);
      self += cursor - end;
      chosen.push({ node: candidate.node, from: candidate.start, to: end });
      cursor = candidate.start;
    }
    self += Math.max(0, cursor - from);
    const { span } = node;
    const segment: CriticalPathSegment = {
      span_id: span.span_id,
      name: span.name,
      start_ms: (from - origin) / 1000,
      self_ms: self / 1000,
    };
    if (span.service !== undefined) segment.service = span.service;
    if (span.open === true) segment.open = true;
    segments.push(segment);
    // `chosen` runs latest first: pushed in that order, the earliest child is walked next, and
    // the segments come out in time order, each span before the spans it waited on.
    for (const visit of chosen) visits.push(visit);
  }
  return { duration_ms: (root.end - root.start) / 1000, segments };
}
