// Traces for the diagram formats' tests (test/export/formats.test.ts and
// test/browser/mermaid.browser.test.ts): the README's 4-span trace, the checkout demo's two
// requests, hostile names, a cycle with a missing parent, and a 1,000-span tree.
import type { MetaValue, Trace, TraceSpan } from '../../src/index.js';

/** 2026-01-01T10:00:00.000Z, where every fixture trace starts. */
export const T0 = Date.parse('2026-01-01T10:00:00.000Z');

/** A span starting `startMs` after T0; `end_time` is the start plus the duration. */
export function span(
  id: string,
  parent: string | undefined,
  name: string,
  startMs: number,
  durationMs: number,
  extra: Partial<TraceSpan> = {},
): TraceSpan {
  return {
    span_id: id,
    ...(parent === undefined ? {} : { parent_id: parent }),
    name,
    start_time: new Date(T0 + startMs).toISOString(),
    end_time: new Date(T0 + startMs + durationMs).toISOString(),
    duration_ms: durationMs,
    ...extra,
  };
}

/** The README's example: a request, a validation and two queries, the second failed. */
export const fourSpans: Trace = {
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  spans: [
    span('a1', undefined, 'POST /checkout', 0, 12.5, {
      tags: { 'http.method': 'POST', 'http.status_code': 402 },
    }),
    span('b2', 'a1', 'validate', 1, 1.2),
    span('c3', 'a1', 'db.query', 3, 3),
    span('d4', 'a1', 'db.query', 7, 4.25, {
      status: 'error',
      tags: { 'db.statement': 'SELECT 1' },
    }),
  ],
};

/** The checkout demo's order_42 as flow mode emits it: accepted, its payment still open. */
export const demoAccepted: Trace = {
  trace_id: '0af7651916cd43dd8448eb211c80319c',
  spans: [
    span('r', undefined, 'POST /checkout order_42', 0, 9.871, {
      tags: { 'http.method': 'POST', 'http.route': '/checkout', order_id: 'order_42' },
    }),
    span('v', 'r', 'validate', 0, 0.214),
    span('f', 'r', 'fraud_check', 1, 0.087, { tags: { score: 0.02 } }),
    span('i', 'r', 'inventory', 2, 1.931, { tags: { skus: ['book', 'lamp'] } }),
    span('p', 'r', 'pricing', 4, 0.125, { tags: { coupon: 'WELCOME10', discount: 0.1 } }),
    span('y', 'r', 'payment', 5, 4.5, { open: true }),
  ],
};

/** The checkout demo's order_43: its fraud check blocks it. */
export const demoRejected: Trace = {
  trace_id: 'b7ad6b7169203331b7ad6b7169203331',
  spans: [
    span('r', undefined, 'POST /checkout order_43', 0, 2.5, { status: 'error' }),
    span('v', 'r', 'validate', 0, 0.3),
    span('f', 'r', 'fraud_check', 1, 0.9, {
      status: 'error',
      tags: { score: 0.91, rules: ['high-risk-country', 'new-card'] },
    }),
  ],
};

/**
 * Names that break a diagram when written as they are: Mermaid's label, statement, comment,
 * directive, entity, markdown, KaTeX and HTML syntax, gantt's `:` `#` `;` and statement words,
 * SankeyMATIC's brackets, comments, node lines, settings, moves and colours, line breaks,
 * Unicode, and empty names.
 */
export const HOSTILE_NAMES: readonly string[] = [
  'say "hi"',
  'a]b[c',
  'x;y',
  'line1\nline2',
  'cr\r\nlf',
  'tab\there',
  'line\u2028separator',
  '%%{init: {"theme":"dark"}}%%',
  '%% comment',
  'a %% b',
  '50% off',
  'click n0 call alert()',
  'click n1 href "javascript:alert(1)"',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '`markdown` **bold**',
  '"`md string`"',
  '# hash',
  '#35; an entity',
  '#quot;',
  'a:b',
  'key: value; other',
  'ünïcødé 日本語 😀',
  'עברית',
  '',
  '   ',
  'style n0 fill:#f00;',
  'classDef error fill:#f00;',
  'end',
  'subgraph x',
  'section s',
  'title t',
  '2024-01-01 a date',
  'dateFormat YYYY',
  'axisFormat %d',
  'excludes weekends',
  'todayMarker on',
  '  click x',
  '$$x^2$$',
  'fa:fa-car',
  'fab:fa-github and fa:fa-x',
  '~T~ generic ~U~',
  '$$\\sum$$ and $$x$$',
  '&amp; &lt; &#60;',
  'ﬂ°°35¶ß',
  'a --> b',
  'graph TD',
  '---',
  'back\\slash',
  "'quoted'",
  '// comment',
  ':node #fff',
  'retry #abc',
  'move 1, 2',
  '\u200bzero width',
  'x'.repeat(300),
];

/**
 * A root with one child per hostile name (each with a hostile tag too), every third an error and
 * every third open, then the names again as grandchildren under the first child.
 */
export function hostileTrace(): Trace {
  const spans: TraceSpan[] = [span('root', undefined, 'root "of" all', 0, 500)];
  HOSTILE_NAMES.forEach((name, i) => {
    const extra: Partial<TraceSpan> = { tags: { [name]: name } };
    if (i % 3 === 0) extra.status = 'error';
    if (i % 3 === 1) extra.open = true;
    spans.push(span(`h${i}`, 'root', name, 1 + i * 4, (2500 + i) / 1000, extra));
  });
  // Same start: ordered by span id, so the ids keep the list's order.
  HOSTILE_NAMES.forEach((name, i) =>
    spans.push(span(`g${String(i).padStart(3, '0')}`, 'h0', name, 1, 0.001)),
  );
  return { trace_id: 'trace "id" %% #1\nclick', spans };
}

/** a → b → c → a, a span that is its own parent, and a span whose parent is not in the trace. */
export const cycleTrace: Trace = {
  trace_id: 'cycle',
  spans: [
    span('a', 'c', 'cycle a', 0, 5),
    span('b', 'a', 'cycle b', 1, 3),
    span('c', 'b', 'cycle c', 2, 1),
    span('s', 's', 'own parent', 3, 1),
    span('o', 'not-in-trace', 'orphan', 4, 2),
    span('o1', 'o', 'orphan child', 4, 1),
  ],
};

/** A small, seeded PRNG (mulberry32), so the big tree is the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POOL = ['db.query', 'cache.get', 'http GET', 'render', 'auth'];

/**
 * `count` spans in one tree, names from a pool of five (so names repeat among siblings and at
 * different depths), each span's duration its children's total plus up to 5 ms of its own with up
 * to 3 decimals, children one after another inside their parent: no two siblings overlap.
 */
export function bigTrace(count = 1000, seed = 7): Trace {
  const next = random(seed);
  const parents: number[] = [-1];
  for (let i = 1; i < count; i++) parents.push(i - 1 - Math.floor(next() * Math.min(i, 6)));
  const own = Array.from({ length: count }, () => Math.round(next() * 5000) / 1000);
  const micros = own.map((ms) => Math.round(ms * 1000));
  for (let i = count - 1; i > 0; i--) micros[parents[i] as number]! += micros[i]!;
  const starts = new Array<number>(count).fill(0);
  const cursor = micros.map(() => 0);
  for (let i = 1; i < count; i++) {
    const parent = parents[i] as number;
    starts[i] = (starts[parent] as number) + (cursor[parent] as number);
    cursor[parent]! += micros[i]!;
  }
  const tags: Record<string, MetaValue> = { 'db.system': 'postgresql' };
  return {
    trace_id: 'big',
    spans: parents.map((parent, i) =>
      span(
        `s${i}`,
        parent < 0 ? undefined : `s${parent}`,
        POOL[Math.floor(next() * POOL.length)] as string,
        // Whole milliseconds in ISO times: start_time only has millisecond precision.
        Math.floor((starts[i] as number) / 1000),
        (micros[i] as number) / 1000,
        i % 10 === 0 ? { tags } : {},
      ),
    ),
  };
}
