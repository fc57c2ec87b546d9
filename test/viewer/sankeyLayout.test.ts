import { describe, expect, it } from 'vitest';
import { spanForest } from '../../src/export/formats/spanTree.js';
import type { TraceSpan } from '../../src/types.js';
import {
  SANKEY_MAX_COLUMNS,
  SANKEY_MAX_ROWS,
  sankeyLayout,
} from '../../src/viewer/sankeyLayout.js';
import type { SankeyNode, SankeyPicture } from '../../src/viewer/PageData.js';

function span(
  id: string,
  name: string,
  duration: number,
  parent?: string,
  error = false,
): TraceSpan {
  return {
    span_id: id,
    name,
    start_time: '2026-01-01T00:00:00.000Z',
    end_time: '2026-01-01T00:00:00.000Z',
    duration_ms: duration,
    ...(parent === undefined ? {} : { parent_id: parent }),
    ...(error ? { status: 'error' as const } : {}),
  };
}

function picture(spans: TraceSpan[]): SankeyPicture {
  const result = sankeyLayout(
    spanForest({ spans }),
    (node) => node.span.duration_ms,
    (node) => node.span.status === 'error',
  );
  if (result === undefined) throw new Error('no picture');
  return result;
}

const node = (p: SankeyPicture, name: string): SankeyNode => {
  const found = p.nodes.find((n) => n.label.startsWith(`${name} `));
  if (found === undefined) throw new Error(`no node ${name}`);
  return found;
};

describe('sankeyLayout', () => {
  it('sums the siblings of one name into one node, as the SankeyMATIC text does', () => {
    const p = picture([
      span('r', 'request', 100),
      span('a', 'inventory', 10, 'r'),
      span('b', 'inventory', 20, 'r'),
      span('c', 'inventory', 30, 'r'),
      span('d', 'pricing', 15, 'r'),
    ]);
    expect(p.nodes.map((n) => n.label)).toEqual([
      'request 100 ms',
      'inventory 60 ms ×3',
      'pricing 15 ms',
    ]);
    expect(node(p, 'inventory').title).toBe('inventory: 60 ms in 3 spans');
    expect(p.links).toHaveLength(2);
  });

  it('draws each depth as a column and node heights proportional to durations', () => {
    const p = picture([
      span('r', 'request', 80),
      span('a', 'validate', 20, 'r'),
      span('b', 'pay', 40, 'r'),
      span('c', 'charge', 30, 'b'),
    ]);
    const [request, validate, pay, charge] = ['request', 'validate', 'pay', 'charge'].map((n) =>
      node(p, n),
    ) as [SankeyNode, SankeyNode, SankeyNode, SankeyNode];
    expect(validate.x).toBe(pay.x);
    expect(validate.x).toBeGreaterThan(request.x);
    expect(charge.x).toBeGreaterThan(pay.x);
    expect(pay.height / validate.height).toBeCloseTo(2, 1);
    expect(request.height / charge.height).toBeCloseTo(80 / 30, 1);
    expect(p.height).toBeGreaterThanOrEqual(request.y + request.height);
    expect(p.width).toBeGreaterThan(charge.x + charge.width);
  });

  it('marks the nodes and links of spans with an error', () => {
    const p = picture([span('r', 'request', 10), span('f', 'fraud_check', 5, 'r', true)]);
    expect(node(p, 'fraud_check').error).toBe(true);
    expect(node(p, 'request').error).toBeUndefined();
    expect(p.links.map((l) => l.error)).toEqual([true]);
  });

  it('writes link paths of numbers and path commands only', () => {
    const p = picture([
      span('r', '"><script>', 10),
      span('a', '<b>', 5, 'r'),
      span('b', 'x', 7, 'r'),
    ]);
    for (const link of p.links) expect(link.d).toMatch(/^[-0-9. MCLZ]+$/);
  });

  it('cuts a 10,000-deep chain at its column cap and says so', () => {
    const spans = Array.from({ length: 10_000 }, (_, i) =>
      span(`s${i}`, `level_${i}`, 10_000 - i, i === 0 ? undefined : `s${i - 1}`),
    );
    const p = picture(spans);
    expect(new Set(p.nodes.map((n) => n.x)).size).toBe(SANKEY_MAX_COLUMNS);
    expect(p.notes).toEqual([
      `${10_000 - SANKEY_MAX_COLUMNS} span(s) deeper than 12 levels are not drawn in the picture`,
    ]);
  });

  it('draws the largest groups of a crowded column and counts the others with their children', () => {
    const spans = [span('r', 'request', 1_000)];
    for (let i = 0; i < SANKEY_MAX_ROWS + 6; i++) {
      spans.push(span(`c${i}`, `child_${i}`, 100 + i, 'r'));
      spans.push(span(`g${i}`, 'grandchild', 5, `c${i}`));
    }
    const p = picture(spans);
    const column = p.nodes.filter((n) => n.label.startsWith('child_'));
    expect(column).toHaveLength(SANKEY_MAX_ROWS);
    expect(column.some((n) => n.label.startsWith('child_0 '))).toBe(false); // among the smallest
    expect(p.notes).toEqual([
      `12 smaller span group(s) are not drawn in the picture (at most ${SANKEY_MAX_ROWS} per column)`,
    ]);
  });

  it('draws spans of no duration as thin nodes, with finite geometry', () => {
    const p = picture([span('r', 'request', 0), span('a', 'a', 0, 'r')]);
    for (const n of p.nodes) {
      expect(n.height).toBeGreaterThan(0);
      expect(Number.isFinite(n.y)).toBe(true);
    }
    for (const link of p.links) expect(link.d).not.toMatch(/NaN|Infinity/);
  });

  it('draws nothing for a trace without spans', () => {
    expect(
      sankeyLayout(
        [],
        () => 0,
        () => false,
      ),
    ).toBeUndefined();
  });
});
