import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleSink, FileSink, InMemorySink } from '../../src/export/index.js';
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
    expect(JSON.parse(line ?? '')).toEqual(trace('a'));
    expect(line?.trim().includes('\n')).toBe(false);
    expect(pretty).toContain('\n  "trace_id": "b"');
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

  it('rejects forceFlush when the file cannot be written, and counts what it dropped', async () => {
    dir = mkdtempSync(join(tmpdir(), 'stepmark-'));
    const sink = new FileSink({ path: join(dir, 'missing-dir', 't.jsonl') });
    sink.export(trace('a'));
    await expect(sink.forceFlush()).rejects.toThrow(/ENOENT/);
    sink.export(trace('b'));
    expect(sink.dropped).toBe(1);
  });
});
