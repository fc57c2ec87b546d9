import type { SpanNode } from '../export/formats/spanTree.js';
import { formatMs } from './formatMs.js';
import type { SankeyNode, SankeyPicture } from './PageData.js';

/** Columns drawn at most (span tree depths 0 to 11); deeper spans are counted, not drawn. */
export const SANKEY_MAX_COLUMNS = 12;
/** Nodes drawn per column at most: the largest by duration. */
export const SANKEY_MAX_ROWS = 24;

const MARGIN = 8;
const COLUMN_WIDTH = 220;
const NODE_WIDTH = 14;
const LABEL_ROOM = 220;
/** Vertical space between two nodes of a column. */
const GAP = 6;
/** Height of the nodes' column given the most durations, before the gaps. */
const BASE_HEIGHT = 320;
/** A node is never thinner than this, nor its slot shorter than a label. */
const MIN_NODE = 2;
const MIN_SLOT = 14;
const MAX_LABEL = 32;

/** Spans of one name under one parent group: the unit the picture draws. */
interface Group {
  name: string;
  depth: number;
  value: number;
  count: number;
  error: boolean;
  parent: Group | undefined;
  children: Map<string, Group>;
  /** Set once laid out. */
  node?: SankeyNode;
}

/** `group` and the groups under it. */
function groupsUnder(group: Group): number {
  let count = 0;
  const stack = [group];
  while (stack.length > 0) {
    const g = stack.pop() as Group;
    count++;
    for (const child of g.children.values()) stack.push(child);
  }
  return count;
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** A band from the right side of a node to the left side of another (numbers only). */
function bandPath(x0: number, y0: number, h0: number, x1: number, y1: number, h1: number): string {
  const xm = round((x0 + x1) / 2);
  const [a, b, c, d, e, f] = [x0, y0, x1, y1, y1 + h1, y0 + h0].map(round) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return `M${a} ${b}C${xm} ${b} ${xm} ${d} ${c} ${d}L${c} ${e}C${xm} ${e} ${xm} ${f} ${a} ${f}Z`;
}

/**
 * The span forest as a Sankey picture of where the time went: each depth a column, the spans of
 * one name under one parent group summed into one node (as the SankeyMATIC text does), node
 * heights proportional to their summed durations on one scale for the whole picture, and a band
 * from each parent to each child. Undefined for a trace without spans. Iterative: a 10,000-deep
 * chain is cut at `SANKEY_MAX_COLUMNS`, and what is cut is said in `notes`.
 * @example sankeyLayout(spanForest(trace), (s) => s.duration_ms, (s) => s.status === 'error')
 */
export function sankeyLayout(
  roots: readonly SpanNode[],
  durationOf: (node: SpanNode) => number,
  isError: (node: SpanNode) => boolean,
): SankeyPicture | undefined {
  if (roots.length === 0) return undefined;
  const rootGroups = new Map<string, Group>();
  let spans = 0;
  let placed = 0;
  const stack: Array<[SpanNode, Group | undefined, number]> = roots.map((r) => [r, undefined, 0]);
  while (stack.length > 0) {
    const [node, parent, depth] = stack.pop() as [SpanNode, Group | undefined, number];
    spans++;
    if (depth >= SANKEY_MAX_COLUMNS) {
      for (const child of node.children) stack.push([child, undefined, depth + 1]);
      continue;
    }
    const siblings = parent === undefined ? rootGroups : parent.children;
    const name = node.span.name;
    let group = siblings.get(name);
    if (group === undefined) {
      group = { name, depth, value: 0, count: 0, error: false, parent, children: new Map() };
      siblings.set(name, group);
    }
    group.value += Math.max(0, durationOf(node));
    group.count++;
    if (isError(node)) group.error = true;
    placed++;
    for (const child of node.children) stack.push([child, group, depth + 1]);
  }

  // Columns, each ordered by its parents' order then by duration; the largest kept per column.
  const columns: Group[][] = [];
  let cutGroups = 0;
  let previous = [...rootGroups.values()];
  while (previous.length > 0 && columns.length < SANKEY_MAX_COLUMNS) {
    const kept = [...previous].sort((a, b) => b.value - a.value).slice(0, SANKEY_MAX_ROWS);
    const keptSet = new Set(kept);
    for (const g of previous) if (!keptSet.has(g)) cutGroups += groupsUnder(g);
    const column = previous.filter((g) => keptSet.has(g));
    columns.push(column);
    previous = column.flatMap((g) => [...g.children.values()].sort((a, b) => b.value - a.value));
  }

  // One scale for all columns: the fullest column fills BASE_HEIGHT.
  let scale = Number.POSITIVE_INFINITY;
  for (const column of columns) {
    const total = column.reduce((sum, g) => sum + g.value, 0);
    if (total > 0) scale = Math.min(scale, BASE_HEIGHT / total);
  }
  if (!Number.isFinite(scale)) scale = 0;

  const nodes: SankeyNode[] = [];
  let height = 0;
  columns.forEach((column, c) => {
    let y = MARGIN;
    for (const g of column) {
      const h = Math.max(MIN_NODE, g.value * scale);
      const name = g.name.length > MAX_LABEL ? `${g.name.slice(0, MAX_LABEL)}…` : g.name;
      const times = g.count > 1 ? ` ×${g.count}` : '';
      const node: SankeyNode = {
        x: MARGIN + c * COLUMN_WIDTH,
        y: round(y),
        width: NODE_WIDTH,
        height: round(h),
        label: `${name} ${formatMs(g.value)}${times}`,
        title: `${g.name}: ${formatMs(g.value)}${g.count > 1 ? ` in ${g.count} spans` : ''}${g.error ? ', with an error' : ''}`,
      };
      if (g.error) node.error = true;
      g.node = node;
      nodes.push(node);
      y += Math.max(h, MIN_SLOT) + GAP;
    }
    height = Math.max(height, y - GAP + MARGIN);
  });

  const links: SankeyPicture['links'] = [];
  for (const column of columns) {
    for (const parent of column) {
      const from = parent.node as SankeyNode;
      // In the column's order (by duration), so that bands do not cross.
      const children = [...parent.children.values()]
        .filter((g) => g.node !== undefined)
        .sort((a, b) => b.value - a.value);
      const sum = children.reduce((total, g) => total + (g.node as SankeyNode).height, 0);
      // Children running in parallel can add up to more than their parent: squeeze their bands.
      const fit = sum > from.height && sum > 0 ? from.height / sum : 1;
      let offset = 0;
      for (const child of children) {
        const to = child.node as SankeyNode;
        const band = to.height * fit;
        const link: SankeyPicture['links'][number] = {
          d: bandPath(from.x + from.width, from.y + offset, band, to.x, to.y, to.height),
        };
        if (child.error) link.error = true;
        links.push(link);
        offset += band;
      }
    }
  }

  const notes: string[] = [];
  if (spans > placed)
    notes.push(
      `${spans - placed} span(s) deeper than ${SANKEY_MAX_COLUMNS} levels are not drawn in the picture`,
    );
  if (cutGroups > 0)
    notes.push(
      `${cutGroups} smaller span group(s) are not drawn in the picture (at most ${SANKEY_MAX_ROWS} per column)`,
    );
  return {
    width: MARGIN + (columns.length - 1) * COLUMN_WIDTH + NODE_WIDTH + LABEL_ROOM,
    height: Math.max(height, 2 * MARGIN + MIN_SLOT),
    nodes,
    links,
    notes,
  };
}
