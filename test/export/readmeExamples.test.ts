// The README's examples of the three text formats are what the code writes for that trace.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toGantt, toMermaid, toSankey } from '../../src/export/index.js';
import type { Trace } from '../../src/index.js';

const t0 = Date.parse('2026-01-01T10:00:00.000Z');
const iso = (ms: number): string => new Date(t0 + ms).toISOString();
const TRACE: Trace = {
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  spans: [
    {
      span_id: 'a',
      name: 'POST /checkout',
      start_time: iso(0),
      end_time: iso(12.5),
      duration_ms: 12.5,
    },
    {
      span_id: 'b',
      parent_id: 'a',
      name: 'validate',
      start_time: iso(1),
      end_time: iso(2.2),
      duration_ms: 1.2,
    },
    {
      span_id: 'c',
      parent_id: 'a',
      name: 'db.query',
      start_time: iso(7),
      end_time: iso(11.25),
      duration_ms: 4.25,
      status: 'error',
    },
  ],
};

/** The plain ``` blocks of the README's flow-log section, in order. */
function readmeBlocks(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Flow log'), readme.indexOf('## The CLI'));
  const blocks: string[] = [];
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of section.split('\n')) {
    if (!line.startsWith('```')) open?.lines.push(line);
    else if (open === undefined) open = { lang: line.slice(3), lines: [] };
    else {
      if (open.lang === '') blocks.push(`${open.lines.join('\n')}\n`);
      open = undefined;
    }
  }
  return blocks;
}

describe('README', () => {
  it('shows what toMermaid, toGantt and toSankey write', () => {
    expect(readmeBlocks()).toEqual([toMermaid(TRACE), toGantt(TRACE), toSankey(TRACE)]);
  });
});
