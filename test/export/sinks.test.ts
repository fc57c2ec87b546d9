import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConsoleSink,
  DEFAULT_CONSOLE_PREFIX,
  FileSink,
  InMemorySink,
} from '../../src/export/index.js';
import type { Trace } from '../../src/index.js';

const trace = (id: string): Trace => ({
  trace_id: id,
  entities: {
    order_1: {
      entity_id: 'order_1',
      events: [{ stage: 's', action: 'a', timestamp: '2026-01-01T00:00:00.000Z' }],
    },
  },
});

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('InMemorySink', () => {
  it('keeps traces up to its cap, dropping and counting the oldest', () => {
    const sink = new InMemorySink({ maxTraces: 2 });
    for (const id of ['a', 'b', 'c']) sink.export(trace(id));
    expect(sink.traces.map((t) => t.trace_id)).toEqual(['b', 'c']);
    expect(sink.dropped).toBe(1);
    expect(sink.get('c')?.trace_id).toBe('c');
    sink.clear();
    expect(sink.traces).toEqual([]);
  });
});

describe('ConsoleSink', () => {
  it('writes one JSON line per trace, or indented JSON with pretty', () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    new ConsoleSink({ stream: out }).export(trace('a'));
    new ConsoleSink({ stream: out, pretty: true }).export(trace('b'));
    const [line, pretty] = chunks;
    expect(line?.startsWith('STEPMARK_TRACE {')).toBe(true);
    expect(JSON.parse(line?.slice(DEFAULT_CONSOLE_PREFIX.length) ?? '')).toEqual(trace('a'));
    expect(line?.trim().includes('\n')).toBe(false);
    expect(pretty).toContain('\n  "trace_id": "b"');
    expect(pretty?.startsWith('{')).toBe(true); // the formats people read have no default prefix
  });

  it('puts a chosen prefix before every line, so that a log pipeline can grep the traces out', () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    new ConsoleSink({ stream: out, prefix: 'FLOW_LOG: ' }).export(trace('a'));
    new ConsoleSink({ stream: out, format: 'pretty', prefix: 'FLOW_LOG: ' }).export(trace('b'));
    new ConsoleSink({ stream: out, prefix: '' }).export(trace('c'));
    const lines = chunks.join('').trimEnd().split('\n');
    const flow = lines.filter((l) => l.startsWith('FLOW_LOG: '));
    expect(flow.length).toBe(lines.length - 1);
    expect(JSON.parse(flow[0]?.slice(10) ?? '')).toEqual(trace('a'));
    expect(
      JSON.parse(
        flow
          .slice(1)
          .map((l) => l.slice(10))
          .join('\n'),
      ),
    ).toEqual(trace('b'));
    expect(JSON.parse(lines.at(-1) ?? '')).toEqual(trace('c'));
  });

  it.each([
    ['a prefix with a line break', { prefix: 'A\nB' }],
    ['a prefix of 65 characters', { prefix: 'x'.repeat(65) }],
    ['a prefix that is no string', { prefix: 5 }],
    ['a stream without write', { stream: {} }],
    ['a keep that is no function', { keep: 'rejected' }],
  ])('refuses %s where it is made', (_label, options) => {
    expect(() => new ConsoleSink(options as never)).toThrow(TypeError);
  });

  it('writes the timeline the CLI prints with format: timeline, plain on a stream that is no terminal', () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    new ConsoleSink({ stream: out, format: 'timeline' }).export({
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      entities: {
        order_43: {
          entity_id: 'order_43',
          kind: 'order',
          events: [
            {
              stage: 'fraud_check',
              action: 'blocked',
              timestamp: '2026-12-01T10:00:00.123Z',
              meta: { score: 0.91, note: 'a\u001b[2Jb' },
            },
          ],
        },
      },
    });
    expect(chunks.join('')).toBe(
      'trace 0af7651916cd43dd8448eb211c80319c  1 event(s)\n' +
        '  10:00:00.123  order order_43  fraud_check blocked  score=0.91 note=a\\x1b[2Jb\n',
    );
    expect(() => new ConsoleSink({ format: 'yaml' as never })).toThrow(TypeError);
  });
});

describe('FileSink', () => {
  it('appends one JSON line per trace and flushes them to disk', async () => {
    dir = mkdtempSync(join(tmpdir(), 'stepmark-'));
    const path = join(dir, 'traces.jsonl');
    const sink = new FileSink({ path });
    sink.export(trace('a'));
    sink.export(trace('b'));
    await sink.forceFlush();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as Trace).trace_id)).toEqual(['a', 'b']);
    await sink.shutdown();
  });

  it('drops and counts traces when more than maxBufferedBytes wait for the disk', async () => {
    dir = mkdtempSync(join(tmpdir(), 'stepmark-'));
    const sink = new FileSink({ path: join(dir, 't.jsonl'), maxBufferedBytes: 10 });
    for (let i = 0; i < 50; i++) sink.export(trace(String(i)));
    expect(sink.dropped).toBeGreaterThan(0);
    await sink.shutdown();
    const written = readFileSync(join(dir, 't.jsonl'), 'utf8').trim().split('\n').length;
    expect(written + sink.dropped).toBe(50);
  });

  it('rejects forceFlush once when the file cannot be written, counts what it dropped, and tries again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'stepmark-'));
    const path = join(dir, 'later', 't.jsonl');
    const sink = new FileSink({ path });
    sink.export(trace('a'));
    await expect(sink.forceFlush()).rejects.toThrow(/ENOENT/);
    expect(sink.dropped).toBe(1);
    await sink.forceFlush(); // reported once
    mkdirSync(join(dir, 'later'));
    sink.export(trace('b'));
    await sink.shutdown();
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(trace('b'))}\n`);
    expect(sink.dropped).toBe(1);
    sink.export(trace('c')); // after shutdown: dropped and counted
    expect(sink.dropped).toBe(2);
  });
});
