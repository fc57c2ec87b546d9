// The diagram formats (issue 11): toMermaid, toGantt and toSankey. Exact output for a small
// trace, escaping of hostile names (read back by decoding Mermaid's entity codes), cycles and
// missing parents, aggregation, option errors, malformed traces, and 1,000 spans. Mermaid itself
// parses and renders these outputs in test/browser/mermaid.browser.test.ts; SankeyMATIC has no
// package, so `readSankey` below reads its line grammar strictly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mermaidText } from '../../src/export/formats/mermaidText.js';
import { toGantt } from '../../src/export/formats/toGantt.js';
import { toMermaid, type MermaidOptions } from '../../src/export/formats/toMermaid.js';
import { toSankey } from '../../src/export/formats/toSankey.js';
import type { Trace, TraceSpan } from '../../src/index.js';
import {
  bigTrace,
  cycleTrace,
  fourSpans,
  HOSTILE_NAMES,
  hostileTrace,
  span,
  T0,
} from './formatTraces.js';

/** Mermaid's entity codes back to characters, as Mermaid does when it renders. */
function decode(text: string): string {
  return text.replace(/#(\d+);/g, (_code, point: string) => String.fromCodePoint(Number(point)));
}

/** Decoded, without the invisible word joiners `mermaidText` puts inside `ﬂ°` and `¶ß`. */
function read(text: string): string {
  return decode(text).replaceAll('\u2060', '');
}

/** What a name is shown as: `(unnamed)` for an empty or blank one. */
function shown(name: string): string {
  return name.trim() === '' ? '(unnamed)' : name;
}

/** Only characters that are plain to Mermaid, and entity codes. */
const MERMAID_SAFE = /^(?:[A-Za-z0-9 .,_/()\-\p{L}\p{M}\p{N}]|#\d+;)*$/u;

interface FlowNode {
  id: string;
  parts: string[];
}

/** The node and edge lines of a toMermaid output, checked line by line. */
function readFlowchart(text: string): { nodes: FlowNode[]; edges: Array<[string, string]> } {
  expect(text.endsWith('\n')).toBe(true);
  const nodes: FlowNode[] = [];
  const edges: Array<[string, string]> = [];
  for (const line of text.slice(0, -1).split('\n').slice(1)) {
    const node = /^ {2}(n\d+)\["([^"]*)"\]$/.exec(line);
    const edge = /^ {2}(n\d+) --> (n\d+)$/.exec(line);
    if (node !== null) {
      const parts = (node[2] as string).split('<br/>');
      for (const part of parts) expect(part).toMatch(MERMAID_SAFE);
      nodes.push({ id: node[1] as string, parts: parts.map(read) });
    } else if (edge !== null) edges.push([edge[1] as string, edge[2] as string]);
    else
      expect(line).toMatch(/^ {2}(classDef (error|open) [^;"]+|class n\d+(,n\d+)* (error|open))$/);
  }
  return { nodes, edges };
}

interface GanttTask {
  name: string;
  duration: string;
  marks: string[];
  id: string;
  start: number;
  length: string;
}

/** The task lines of a toGantt output, checked line by line. */
function readGantt(text: string): { header: string[]; sections: string[]; tasks: GanttTask[] } {
  expect(text.endsWith('\n')).toBe(true);
  const header: string[] = [];
  const sections: string[] = [];
  const tasks: GanttTask[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    const section = /^ {2}section (.+)$/.exec(line);
    const task =
      /^ {4}(\S.*) \(([\d.]+ ms(?:, open)?(?:, error)?)\) :((?:crit, |active, )*)(n\d+), (\d+), ([\d.]+)ms$/.exec(
        line,
      );
    if (section !== null) {
      expect(section[1]).toMatch(MERMAID_SAFE);
      sections.push(read(section[1] as string));
    } else if (task !== null) {
      const name = task[1] as string;
      expect(name).toMatch(MERMAID_SAFE);
      // The gantt lexer reads these words at the start of a line as statements.
      expect(name).not.toMatch(
        /^(?:acc|call|click|href|gantt|date|inclusive|top|axis|tick|include|exclude|today|week|title|section|\d|\s)/i,
      );
      tasks.push({
        name: read(name),
        duration: task[2] as string,
        marks: (task[3] as string).split(', ').filter((mark) => mark !== ''),
        id: task[4] as string,
        start: Number(task[5]),
        length: task[6] as string,
      });
    } else {
      expect(tasks).toEqual([]);
      header.push(line);
    }
  }
  return { header, sections, tasks };
}

interface Flow {
  source: string;
  micros: number;
  target: string;
}

/**
 * A strict reader of SankeyMATIC's input (sankeymatic.com/build, its `build/constants.js` and
 * `build/sankeymatic.js`): each line must be a flow `Source [amount] Target`, with names that are
 * trimmed, non-empty and bracket-free, an amount in ms with at most 3 decimals, and no line that
 * SankeyMATIC would read first as a move, a setting, a comment or a node line, nor a target that
 * it would read as ending in a flow colour.
 */
function readSankey(text: string): Flow[] {
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      expect(line).not.toMatch(/^move (.+) (-?\d(?:.\d+)?), (-?\d(?:.\d+)?)$/);
      expect(line).not.toMatch(/^((?:\w+\s*){1,2}) (#?[\w.-]+)$/);
      expect(line).not.toMatch(/^((?:\w+\s*){1,2}) '(.*)'$/);
      expect(line).not.toMatch(/^(?:'|\/\/)/);
      expect(line).not.toMatch(/^:(.+) #([a-f0-9]{0,6})?(\.\d{1,4})?\s*(>>|<<)*\s*(>>|<<)*$/i);
      const flow = /^(.+) \[(\d+(\.\d+)?)\] (.+)$/.exec(line);
      if (flow === null) throw new Error(`not a SankeyMATIC flow line: ${JSON.stringify(line)}`);
      const [, source, amount, fraction, target] = flow as unknown as string[];
      for (const name of [source, target] as string[]) {
        expect(name).toBe(name.trim());
        expect(name).not.toMatch(/[[\]\p{Cc}\u2028\u2029\u200b]/u);
      }
      expect(target).not.toMatch(/\s#([a-f0-9]{3,6})?(\.\d{1,4})?$/i);
      expect((fraction ?? '.').length).toBeLessThanOrEqual(4);
      return {
        source: source as string,
        micros: Math.round(Number(amount) * 1000),
        target: target as string,
      };
    });
}

describe('toMermaid', () => {
  it('draws the span tree: ids in display order, names and durations, error class', () => {
    expect(toMermaid(fourSpans)).toBe(
      [
        'flowchart TD',
        '  n0["POST /checkout<br/>12.5 ms"]',
        '  n1["validate<br/>1.2 ms"]',
        '  n2["db.query<br/>3 ms"]',
        '  n3["db.query<br/>4.25 ms, error"]',
        '  n0 --> n1',
        '  n0 --> n2',
        '  n0 --> n3',
        '  classDef error fill:#fde2e1,stroke:#c62828,color:#7f1d1d',
        '  class n3 error',
        '',
      ].join('\n'),
    );
  });

  it("adds the chosen tags, or all with tags: 'all', under the duration", () => {
    const all = toMermaid(fourSpans, { direction: 'LR', tags: 'all' });
    expect(all.split('\n').slice(0, 5)).toEqual([
      'flowchart LR',
      '  n0["POST /checkout<br/>12.5 ms<br/>http.method#58; POST<br/>http.status_code#58; 402"]',
      '  n1["validate<br/>1.2 ms"]',
      '  n2["db.query<br/>3 ms"]',
      '  n3["db.query<br/>4.25 ms, error<br/>db.statement#58; SELECT 1"]',
    ]);
    const some = readFlowchart(toMermaid(fourSpans, { tags: ['http.status_code', 'absent'] }));
    expect(some.nodes.map((node) => node.parts)).toEqual([
      ['POST /checkout', '12.5 ms', 'http.status_code: 402'],
      ['validate', '1.2 ms'],
      ['db.query', '3 ms'],
      ['db.query', '4.25 ms, error'],
    ]);
  });

  it('writes tag values as JSON unless strings, and cuts one over 200 characters', () => {
    const trace: Trace = {
      trace_id: 't',
      spans: [
        span('a', undefined, 'a', 0, 1, {
          tags: { list: ['x', 1], flag: true, none: null, long: 'y'.repeat(250) },
        }),
      ],
    };
    const { nodes } = readFlowchart(toMermaid(trace, { tags: 'all' }));
    expect(nodes[0]?.parts).toEqual([
      'a',
      '1 ms',
      'list: ["x",1]',
      'flag: true',
      'none: null',
      `long: ${'y'.repeat(200)}…`,
    ]);
  });

  it('takes every direction Mermaid knows', () => {
    for (const direction of ['TD', 'TB', 'BT', 'RL', 'LR'] as const)
      expect(toMermaid(fourSpans, { direction }).split('\n')[0]).toBe(`flowchart ${direction}`);
  });

  it('marks open spans with class open and their label', () => {
    const trace: Trace = {
      trace_id: 't',
      spans: [
        span('a', undefined, 'request', 0, 10, { open: true }),
        span('b', 'a', 'payment', 1, 4.5, { open: true, status: 'error' }),
      ],
    };
    const text = toMermaid(trace);
    expect(text).toContain('  n1["payment<br/>4.5 ms, open, error"]\n');
    expect(text).toContain('  classDef open stroke-dasharray:5 3\n  class n0,n1 open\n');
    expect(text).toContain('  class n1 error\n');
  });

  it('escapes every hostile name and tag so that it reads back as written', () => {
    const trace = hostileTrace();
    const { nodes, edges } = readFlowchart(toMermaid(trace, { tags: 'all' }));
    expect(nodes).toHaveLength(1 + 2 * HOSTILE_NAMES.length);
    expect(edges).toHaveLength(2 * HOSTILE_NAMES.length);
    // n1 is the first hostile child; its own children (the grandchildren) follow it.
    const firstChild = nodes[1] as FlowNode;
    const grandchildren = nodes.slice(2, 2 + HOSTILE_NAMES.length);
    const rest = nodes.slice(2 + HOSTILE_NAMES.length);
    expect(firstChild.parts[0]).toBe(shown(HOSTILE_NAMES[0] as string));
    expect(grandchildren.map((node) => node.parts[0])).toEqual(HOSTILE_NAMES.map(shown));
    expect(rest.map((node) => node.parts[0])).toEqual(HOSTILE_NAMES.slice(1).map(shown));
    for (const [i, node] of [firstChild, ...rest].entries()) {
      const name = HOSTILE_NAMES[i] as string;
      const value = name.length > 200 ? `${name.slice(0, 200)}…` : name;
      expect(node.parts.at(-1)).toBe(`${name}: ${value}`);
    }
  });

  it('never lets a label hold a quote, a bare colon, a comment or a directive', () => {
    const text = toMermaid(hostileTrace(), { tags: 'all' });
    for (const line of text.split('\n').filter((l) => l.startsWith('  n') && l.includes('['))) {
      const label = line.slice(line.indexOf('["') + 2, -2).replaceAll('<br/>', '');
      expect(label).not.toMatch(/["%:`<>$&'\n\r]/);
    }
    expect(text).not.toContain('%%');
    expect(text.split('\n')[0]).toBe('flowchart TD');
  });

  it('draws each span of a cycle or under a missing parent once, as a tree', () => {
    const { nodes, edges } = readFlowchart(toMermaid(cycleTrace));
    expect(nodes.map((node) => node.parts[0]).sort()).toEqual(
      ['cycle a', 'cycle b', 'cycle c', 'orphan', 'orphan child', 'own parent'].sort(),
    );
    // Six spans, three roots (the cut cycle, the self-parent, the orphan): three edges, and no
    // node has two parents.
    expect(edges).toHaveLength(3);
    expect(new Set(edges.map(([, child]) => child)).size).toBe(3);
    const orphan = nodes.find((node) => node.parts[0] === 'orphan') as FlowNode;
    const child = nodes.find((node) => node.parts[0] === 'orphan child') as FlowNode;
    expect(edges).toContainEqual([orphan.id, child.id]);
  });

  it('gives just the header for a trace with no spans', () => {
    expect(toMermaid({ trace_id: 'empty' })).toBe('flowchart TD\n');
    expect(toMermaid({ trace_id: 'empty', spans: [] }, { direction: 'LR' })).toBe('flowchart LR\n');
  });

  it('skips junk entries and never throws on a malformed trace', () => {
    for (const bad of [null, undefined, 42, 'x', { spans: 'x' }, { spans: { 0: {} } }])
      expect(toMermaid(bad as unknown as Trace)).toBe('flowchart TD\n');
    const junk = {
      trace_id: 't',
      spans: [
        null,
        7,
        'span',
        [],
        {},
        { span_id: 5 },
        { span_id: 'a', name: 42, duration_ms: 'x', tags: [1], parent_id: {} },
        { span_id: 'b', parent_id: 'a', name: 'b', duration_ms: -3, tags: 'x', status: 'bad' },
      ],
    } as unknown as Trace;
    expect(toMermaid(junk, { tags: 'all' })).toBe(
      'flowchart TD\n  n0["(unnamed)<br/>0 ms"]\n  n1["b<br/>0 ms"]\n  n0 --> n1\n',
    );
  });

  it('throws a TypeError naming the option for a bad direction or tags', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ direction: 'up' }, /direction must be one of TD, TB, BT, RL, LR, got "up"/],
      [{ direction: 'td' }, /direction must be one of/],
      [{ direction: 1 }, /direction must be one of .*got number/],
      [{ tags: 'some' }, /tags must be 'all' or an array of tag names \(strings\), got "some"/],
      [{ tags: ['a', 1] }, /tags must be 'all' or an array/],
      [{ tags: { a: 1 } }, /tags must be 'all' or an array/],
      [null, /options must be an object, got null/],
      ['LR', /options must be an object, got "LR"/],
    ];
    for (const [options, message] of bad) {
      expect(() => toMermaid(fourSpans, options as MermaidOptions)).toThrow(TypeError);
      expect(() => toMermaid(fourSpans, options as MermaidOptions)).toThrow(message);
    }
  });

  it('draws 1,000 spans: one node each, one edge per child, parents first', () => {
    const trace = bigTrace();
    const { nodes, edges } = readFlowchart(toMermaid(trace, { tags: 'all' }));
    expect(nodes.map((node) => node.id)).toEqual(Array.from({ length: 1000 }, (_, i) => `n${i}`));
    expect(edges).toHaveLength(999);
    expect(new Set(edges.map(([, child]) => child)).size).toBe(999);
    for (const [parent, child] of edges)
      expect(Number(parent.slice(1))).toBeLessThan(Number(child.slice(1)));
    const durations = (trace.spans as TraceSpan[]).map((s) => `${s.duration_ms} ms`).sort();
    expect(nodes.map((node) => node.parts[1]).sort()).toEqual(durations);
  });
});

describe('mermaidText', () => {
  it('keeps plain text and writes everything else as entity codes that decode back', () => {
    expect(mermaidText('say "hi"; 50%')).toBe('say #34;hi#34;#59; 50#37;');
    expect(mermaidText('日本語 é')).toBe('日本語 é');
    expect(mermaidText('😀')).toBe('#128512;');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const out = mermaidText(text);
        expect(out).toMatch(MERMAID_SAFE);
        expect(read(out)).toBe(text.replaceAll('\u2060', ''));
      }),
      { numRuns: 500 },
    );
  });

  it('breaks what Mermaid reads again after decoding with an invisible word joiner', () => {
    // Its entity placeholders, KaTeX and Font Awesome icons.
    expect(decode(mermaidText('ﬂ°°35¶ß'))).toBe('ﬂ\u2060°°35¶\u2060ß');
    expect(decode(mermaidText('$$x$$ fa:fa-car'))).toBe('$\u2060$x$\u2060$ fa:\u2060fa-car');
  });
});

describe('toGantt', () => {
  it('lists the spans in display order, one section per root, epoch ms and ms durations', () => {
    const start = T0;
    expect(toGantt(fourSpans)).toBe(
      [
        'gantt',
        '  title trace 4bf92f3577b34da6a3ce929d0e0e4736',
        '  dateFormat x',
        '  axisFormat %H:%M:%S.%L',
        '  todayMarker off',
        '  section POST /checkout',
        `    POST /checkout (12.5 ms) :n0, ${start}, 12.5ms`,
        `    validate (1.2 ms) :n1, ${start + 1}, 1.2ms`,
        `    db.query (3 ms) :n2, ${start + 3}, 3ms`,
        `    db.query (4.25 ms, error) :crit, n3, ${start + 7}, 4.25ms`,
        '',
      ].join('\n'),
    );
  });

  it('marks open spans active and keeps sub-millisecond durations', () => {
    const trace: Trace = {
      trace_id: 't',
      spans: [
        span('a', undefined, 'request', 0, 0.412, { open: true }),
        span('b', undefined, 'second request', 1, 0.0006, { open: true, status: 'error' }),
      ],
    };
    const { sections, tasks } = readGantt(toGantt(trace));
    expect(sections).toEqual(['request', 'second request']);
    expect(tasks).toEqual([
      {
        name: 'request',
        duration: '0.412 ms, open',
        marks: ['active'],
        id: 'n0',
        start: T0,
        length: '0.412',
      },
      {
        name: 'second request',
        duration: '0.001 ms, open, error',
        marks: ['crit', 'active'],
        id: 'n1',
        start: T0 + 1,
        length: '0.001',
      },
    ]);
  });

  it('escapes hostile names, statement words included, and the title', () => {
    const trace = hostileTrace();
    const { header, sections, tasks } = readGantt(toGantt(trace));
    expect(header[1]).toBe('  title trace trace #34;id#34; #37;#37; #35;1#10;click');
    expect(sections).toEqual(['root "of" all']);
    expect(tasks).toHaveLength(1 + 2 * HOSTILE_NAMES.length);
    const names = tasks.map((task) => task.name);
    expect(names.slice(2, 2 + HOSTILE_NAMES.length)).toEqual(HOSTILE_NAMES.map(shown));
    expect([names[1], ...names.slice(2 + HOSTILE_NAMES.length)]).toEqual(HOSTILE_NAMES.map(shown));
    expect(toGantt(trace)).not.toContain('%%');
  });

  it('leaves out a span whose start time does not parse', () => {
    const trace = {
      trace_id: 't',
      spans: [
        span('a', undefined, 'kept', 0, 1),
        { ...span('b', 'a', 'no start', 0, 1), start_time: 'yesterday' },
      ],
    };
    expect(readGantt(toGantt(trace)).tasks.map((task) => task.name)).toEqual(['kept']);
  });

  it('lays out a cycle and a missing parent as trees, one section per root', () => {
    const { sections, tasks } = readGantt(toGantt(cycleTrace));
    expect(tasks).toHaveLength(6);
    expect(sections).toHaveLength(3);
    expect(sections).toContain('orphan');
    expect(sections).toContain('own parent');
  });

  it('gives the header alone for no spans, and never throws on a malformed trace', () => {
    const header = 'gantt\n  dateFormat x\n  axisFormat %H:%M:%S.%L\n  todayMarker off\n';
    expect(toGantt({ trace_id: '' })).toBe(header);
    for (const bad of [null, 42, { spans: 'x' }, { spans: [null, { span_id: 1 }] }])
      expect(toGantt(bad as unknown as Trace)).toBe(header);
  });

  it('lists 1,000 spans with their own start times and durations', () => {
    const trace = bigTrace();
    const { sections, tasks } = readGantt(toGantt(trace));
    expect(sections).toHaveLength(1);
    expect(tasks.map((task) => task.id)).toEqual(Array.from({ length: 1000 }, (_, i) => `n${i}`));
    const expected = (trace.spans as TraceSpan[])
      .map((s) => `${Date.parse(s.start_time)} ${s.duration_ms}`)
      .sort();
    expect(tasks.map((task) => `${task.start} ${task.length}`).sort()).toEqual(expected);
  });
});

describe('toSankey', () => {
  it('sums same-named siblings and shows the parent’s own time as a self flow', () => {
    expect(toSankey(fourSpans)).toBe(
      [
        'POST /checkout [1.2] validate',
        'POST /checkout [7.25] db.query',
        'POST /checkout [4.05] POST /checkout (self)',
        '',
      ].join('\n'),
    );
  });

  it('keeps same names at different places apart with a suffix, real suffixes included', () => {
    const trace: Trace = {
      trace_id: 't',
      spans: [
        span('r', undefined, 'req', 0, 20),
        span('a', 'r', 'db', 0, 6),
        span('a1', 'a', 'db', 0, 2),
        span('a2', 'a', 'db (2)', 2, 1),
        span('b', 'r', 'cache', 6, 5),
        span('b1', 'b', 'db', 6, 4),
        span('c', 'r', 'db', 11, 3),
      ],
    };
    expect(toSankey(trace)).toBe(
      [
        'req [9] db',
        'req [5] cache',
        'req [6] req (self)',
        'db [2] db (2)',
        'db [1] db (2) (2)',
        'db [6] db (self)',
        'cache [4] db (3)',
        'cache [1] cache (self)',
        '',
      ].join('\n'),
    );
  });

  it('shows no self flow when the children overlap and take longer than their parent', () => {
    const trace: Trace = {
      trace_id: 't',
      spans: [
        span('r', undefined, 'Promise.all', 0, 5),
        span('a', 'r', 'fetch a', 0, 4),
        span('b', 'r', 'fetch b', 0, 5),
      ],
    };
    expect(toSankey(trace)).toBe('Promise.all [4] fetch a\nPromise.all [5] fetch b\n');
  });

  it('makes every name safe for the SankeyMATIC line grammar', () => {
    const names = [
      'a[1]b',
      'two\nlines',
      "'quoted'",
      '// comment',
      ':node #fff',
      'retry #abc',
      'move 1, 2',
      '\u200bzero\u200b',
      '   ',
      'tab\tand  spaces',
    ];
    const trace: Trace = {
      trace_id: 't',
      spans: [
        span('r', undefined, 'root', 0, 100),
        ...names.map((name, i) => span(`c${i}`, 'r', name, i, 1)),
      ],
    };
    expect(readSankey(toSankey(trace)).map((flow) => flow.target)).toEqual([
      'a［1］b',
      'two lines',
      '＇quoted＇',
      '／/ comment',
      '：node ＃fff',
      'retry ＃abc',
      'move 1， 2',
      'zero',
      '(unnamed)',
      'tab and spaces',
      'root (self)',
    ]);
  });

  it('reads back as SankeyMATIC flows for every hostile name', () => {
    const flows = readSankey(toSankey(hostileTrace()));
    const targets = flows.map((flow) => flow.target);
    expect(new Set(targets).size).toBe(targets.length);
    // '' and '   ' are one name, (unnamed): one node per distinct name, twice (children and
    // grandchildren), plus a self flow for the root and one for the first child.
    const distinct = new Set(HOSTILE_NAMES.map(shown)).size;
    expect(flows).toHaveLength(2 * distinct + 2);
  });

  it('gives a tree for a cycle or a missing parent', () => {
    expect(toSankey(cycleTrace)).toBe(
      [
        'cycle c [5] cycle a',
        'cycle a [3] cycle b',
        'cycle a [2] cycle a (self)',
        'orphan [1] orphan child',
        'orphan [1] orphan (self)',
        '',
      ].join('\n'),
    );
  });

  it("gives '' for no spans or a lone span, and never throws on a malformed trace", () => {
    expect(toSankey({ trace_id: 't' })).toBe('');
    expect(toSankey({ trace_id: 't', spans: [span('a', undefined, 'alone', 0, 1)] })).toBe('');
    for (const bad of [null, 42, { spans: 'x' }, { spans: [null, 'x', { span_id: 3 }] }])
      expect(toSankey(bad as unknown as Trace)).toBe('');
  });

  it('adds up, for 1,000 spans: each node’s inflow is the sum of its spans', () => {
    const trace = bigTrace();
    const spans = trace.spans as TraceSpan[];
    // The expected total per path of names from the root, from the spans themselves.
    const byId = new Map(spans.map((s) => [s.span_id, s]));
    const pathOf = (s: TraceSpan): string => {
      const parent = s.parent_id === undefined ? undefined : byId.get(s.parent_id);
      return parent === undefined ? s.name : `${pathOf(parent)}\u0000${s.name}`;
    };
    const expected = new Map<string, number>();
    for (const s of spans) {
      const path = pathOf(s);
      expected.set(path, (expected.get(path) ?? 0) + Math.round(s.duration_ms * 1000));
    }

    const flows = readSankey(toSankey(trace));
    const incoming = new Map<string, Flow>();
    for (const flow of flows) {
      expect(incoming.has(flow.target)).toBe(false);
      incoming.set(flow.target, flow);
    }
    const root = (spans[0] as TraceSpan).name;
    const paths = new Map<string, string>([[root, root]]);
    const out = new Map<string, number>();
    for (const flow of flows) {
      out.set(flow.source, (out.get(flow.source) ?? 0) + flow.micros);
      if (flow.target.endsWith(' (self)')) continue;
      const sourcePath = paths.get(flow.source) as string;
      const path = `${sourcePath}\u0000${flow.target.replace(/( \(\d+\))+$/, '')}`;
      paths.set(flow.target, path);
      expect(flow.micros).toBe(expected.get(path));
    }
    // Every path with a parent has its node, and no sibling overlaps: out = in everywhere.
    expect(paths.size).toBe(expected.size);
    expect(out.get(root)).toBe(expected.get(root));
    for (const [name, total] of out)
      if (name !== root) expect(total).toBe(incoming.get(name)?.micros);
  });
});
