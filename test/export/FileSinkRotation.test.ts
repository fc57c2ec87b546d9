// FileSink's size rotation (issue 11): nothing lost at rotation or at shutdown, every file read
// back line by line.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSink } from '../../src/export/index.js';
import type { Trace } from '../../src/index.js';

const trace = (i: number): Trace => ({
  trace_id: i.toString(16).padStart(32, '0'),
  events: [
    {
      stage: 'step',
      action: `n${String(i).padStart(2, '0')}`,
      timestamp: '2026-12-01T00:00:00.000Z',
    },
  ],
});

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Every file of the sink, oldest first (`path.N` … `path.1`, `path`), as parsed lines. */
function readBack(path: string, maxFiles: number): { files: string[]; traces: Trace[] } {
  const files: string[] = [];
  for (let n = maxFiles; n >= 1; n--) files.push(`${path}.${n}`);
  files.push(path);
  const present = files.filter((f) => readdirSync(dir).includes(f.slice(dir.length + 1)));
  const traces = present.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Trace),
  );
  return { files: present, traces };
}

describe('FileSink rotation', () => {
  it('rotates at maxBytes between whole lines and loses none, in order, across files', async () => {
    dir = mkdtempSync(join(tmpdir(), 'stepmark-rotate-'));
    const path = join(dir, 'flow.jsonl');
    const line = Buffer.byteLength(`${JSON.stringify(trace(0))}\n`);
    const sink = new FileSink({ path, maxBytes: line * 10, maxFiles: 20 });
    for (let i = 0; i < 95; i++) sink.export(trace(i));
    await sink.shutdown(); // everything queued reaches a file before it closes
    const { files, traces } = readBack(path, 20);
    expect(traces.map((t) => t.events?.[0]?.action)).toEqual(
      Array.from({ length: 95 }, (_, i) => `n${String(i).padStart(2, '0')}`),
    );
    expect(files).toHaveLength(10);
    expect(sink.rotations).toBe(9);
    for (const file of files) expect(statSync(file).size).toBeLessThanOrEqual(line * 10);
    expect(sink.dropped).toBe(0);
  });

  it('keeps maxFiles rotated files and deletes the oldest', async () => {
    dir = mkdtempSync(join(tmpdir(), 'stepmark-rotate-'));
    const path = join(dir, 'flow.jsonl');
    const line = Buffer.byteLength(`${JSON.stringify(trace(0))}\n`);
    const sink = new FileSink({ path, maxBytes: line * 2, maxFiles: 2 });
    for (let i = 0; i < 10; i++) {
      sink.export(trace(i));
      await sink.forceFlush(); // one at a time: rotation between separate writes too
    }
    await sink.shutdown();
    expect(readdirSync(dir).sort()).toEqual(['flow.jsonl', 'flow.jsonl.1', 'flow.jsonl.2']);
    const { traces } = readBack(path, 2);
    expect(traces.map((t) => t.events?.[0]?.action)).toEqual([
      'n04',
      'n05',
      'n06',
      'n07',
      'n08',
      'n09',
    ]);
  });

  it('appends to an existing file and counts its size toward maxBytes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'stepmark-rotate-'));
    const path = join(dir, 'flow.jsonl');
    writeFileSync(path, `${'x'.repeat(90)}\n`);
    const sink = new FileSink({ path, maxBytes: 100 });
    sink.export(trace(1));
    await sink.shutdown();
    expect(readFileSync(`${path}.1`, 'utf8')).toBe(`${'x'.repeat(90)}\n`);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(trace(1));
  });

  it('writes a trace larger than maxBytes whole, in a file of its own', async () => {
    dir = mkdtempSync(join(tmpdir(), 'stepmark-rotate-'));
    const path = join(dir, 'flow.jsonl');
    const sink = new FileSink({ path, maxBytes: 64 });
    const big: Trace = { trace_id: 'big', meta: { note: 'y'.repeat(500) } };
    sink.export(trace(1));
    sink.export(big);
    sink.export(trace(2));
    await sink.shutdown();
    const { traces } = readBack(path, 5);
    expect(traces.map((t) => t.trace_id)).toEqual([trace(1).trace_id, 'big', trace(2).trace_id]);
    expect(readFileSync(`${path}.1`, 'utf8')).toBe(`${JSON.stringify(big)}\n`);
  });

  it.each([
    ['no path', {}],
    ['maxBytes 0', { path: 'x', maxBytes: 0 }],
    ["maxBytes '10mb'", { path: 'x', maxBytes: '10mb' }],
    ['maxFiles 1.5', { path: 'x', maxFiles: 1.5 }],
    ['keep true', { path: 'x', keep: true }],
  ])('refuses %s where it is made', (_label, options) => {
    expect(() => new FileSink(options as never)).toThrow(/stepmark-otel: FileSink/);
  });
});
