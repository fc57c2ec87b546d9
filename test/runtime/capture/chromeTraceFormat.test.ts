// The structural check of the Trace Event Format that stands in for Perfetto's trace processor
// (test/support/chromeTraceFormat.ts): it passes what the importers load and names what they
// would reject.
import { describe, expect, it } from 'vitest';
import { chromeTraceProblems } from '../../support/chromeTraceFormat.js';

const meta = [
  { name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: 'api' } },
  { name: 'thread_name', ph: 'M', pid: 1, tid: 2, args: { name: 'GET /orders' } },
];
const slice = (ts: number, dur: number, tid = 2) => ({
  name: 's',
  ph: 'X',
  ts,
  dur,
  pid: 1,
  tid,
});

describe('chromeTraceProblems', () => {
  it('passes a well-formed document, in object and array form', () => {
    const events = [
      ...meta,
      slice(0, 100),
      slice(10, 50),
      slice(60, 40),
      { name: 'decided', ph: 'i', s: 't', ts: 20, pid: 1, tid: 2, args: { a: 1 } },
      { name: 'loop', ph: 'C', ts: 100, pid: 1, tid: 2, args: { delay_p99_ms: 3 } },
      { name: 'b', ph: 'B', ts: 200, pid: 1, tid: 3 },
      { ph: 'E', ts: 210, pid: 1, tid: 3 },
    ];
    expect(chromeTraceProblems({ traceEvents: events, displayTimeUnit: 'ms' })).toEqual([]);
    expect(chromeTraceProblems(events)).toEqual([]);
  });

  it.each([
    ['not a document', 'trace', 'the document must be an object with traceEvents'],
    ['no traceEvents', { events: [] }, 'traceEvents must be an array'],
    ['a wrong time unit', { traceEvents: [], displayTimeUnit: 's' }, 'displayTimeUnit'],
    ['an unknown phase', { traceEvents: [{ ...slice(0, 1), ph: 'Z' }] }, 'is not a known phase'],
    ['no name', { traceEvents: [{ ph: 'i', ts: 0, pid: 1, tid: 1 }] }, 'name must be a string'],
    ['a string ts', { traceEvents: [{ ...slice(0, 1), ts: '0' }] }, 'ts must be a finite number'],
    ['a NaN ts', { traceEvents: [{ ...slice(0, 1), ts: Number.NaN }] }, 'ts must be a finite'],
    ['a string pid', { traceEvents: [{ ...slice(0, 1), pid: '1' }] }, 'pid must be an integer'],
    ['an X without dur', { traceEvents: [{ name: 'x', ph: 'X', ts: 0, pid: 1, tid: 1 }] }, 'dur'],
    ['a negative dur', { traceEvents: [slice(0, -5)] }, 'dur must be a finite number >= 0'],
    [
      'an instant of a wrong scope',
      { traceEvents: [{ name: 'i', ph: 'i', s: 'x', ts: 0, pid: 1, tid: 1 }] },
      "s must be 't', 'p' or 'g'",
    ],
    [
      'a counter of text',
      { traceEvents: [{ name: 'c', ph: 'C', ts: 0, pid: 1, tid: 1, args: { v: 'high' } }] },
      'args.v must be a number',
    ],
    [
      'unknown metadata',
      { traceEvents: [{ name: 'colour', ph: 'M', pid: 1, tid: 1, args: {} }] },
      'is not a metadata name',
    ],
    [
      'a thread name without its name',
      { traceEvents: [{ name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: {} }] },
      'args.name is missing',
    ],
    ['args not an object', { traceEvents: [{ ...slice(0, 1), args: [1] }] }, 'args must be'],
    [
      'an E with no B',
      { traceEvents: [{ ph: 'E', ts: 0, pid: 1, tid: 1 }] },
      'ends no open B event',
    ],
    [
      'a B never ended',
      { traceEvents: [{ name: 'b', ph: 'B', ts: 0, pid: 1, tid: 1 }] },
      'is never ended',
    ],
    [
      'slices of one track overlapping without nesting',
      { traceEvents: [slice(0, 100), slice(50, 100)] },
      'without nesting',
    ],
    [
      'an undefined field (lost in the file)',
      { traceEvents: [{ ...slice(0, 1), cat: undefined }] },
      'JSON round trip',
    ],
  ])('rejects %s', (_what, document, problem) => {
    const problems = chromeTraceProblems(document);
    expect(problems.join('\n')).toContain(problem);
  });

  it('lets slices of different tracks overlap', () => {
    expect(chromeTraceProblems({ traceEvents: [slice(0, 100, 2), slice(50, 100, 3)] })).toEqual([]);
  });
});
