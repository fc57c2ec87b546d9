// AuditSink (issue 14, item 6): a JSON Lines trail whose lines chain by SHA-256 / HMAC, across
// rotation and restarts, checked by `stepmark-otel audit verify`.
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as cli } from '../../src/cli/main.js';
import { AuditSink, AUDIT_GENESIS, formatAuditLine } from '../../src/export/index.js';
import type { Trace } from '../../src/index.js';

const trace = (i: number): Trace => ({
  trace_id: i.toString(16).padStart(32, '0'),
  events: [{ stage: 'step', action: `n${i}`, timestamp: '2026-12-01T00:00:00.000Z' }],
});

/** Room for exactly two lines per file (every trace here has the same size). */
const TWO_LINES =
  2 *
  (Buffer.byteLength(formatAuditLine(1, AUDIT_GENESIS, AUDIT_GENESIS, JSON.stringify(trace(1)))) +
    1);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepmark-audit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function write(sink: AuditSink, from: number, to: number): Promise<void> {
  for (let i = from; i <= to; i++) sink.export(trace(i));
  await sink.shutdown();
}

const lines = (path: string): string[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

describe('AuditSink', () => {
  describe('.export', () => {
    it('writes one chained line per trace, the first from the genesis value', async () => {
      const path = join(dir, 'audit.jsonl');
      await write(new AuditSink({ path }), 1, 3);
      const parsed = lines(path).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(parsed.map((l) => l.seq)).toEqual([1, 2, 3]);
      expect(parsed[0]?.prev).toBe(AUDIT_GENESIS);
      expect(parsed[1]?.prev).toBe(parsed[0]?.hash);
      expect(parsed[2]?.trace).toEqual(trace(3));
      const result = await cli(['audit', 'verify', path]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^verified 3 lines in 1 file \(seq 1–3\)/);
    });

    it('continues the chain of an existing trail after a restart', async () => {
      const path = join(dir, 'audit.jsonl');
      await write(new AuditSink({ path, key: 'k1' }), 1, 2);
      await write(new AuditSink({ path, key: 'k1' }), 3, 4);
      const result = await cli(['audit', 'verify', path, '--key-env', 'K'], { K: 'k1' });
      expect(result.stdout).toMatch(/^verified 4 lines/);
      expect(result.code).toBe(0);
    });

    it('ends a line cut short by a crash and goes on; verify names it as truncated', async () => {
      const path = join(dir, 'audit.jsonl');
      await write(new AuditSink({ path }), 1, 2);
      appendFileSync(path, '{"seq":3,"prev":"ab'); // the crash
      await write(new AuditSink({ path }), 3, 4);
      const result = await cli(['audit', 'verify', path]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/audit\.jsonl:3: truncated: .*the chain resumes after it/);
    });
  });

  describe('rotation', () => {
    it('carries the chain across 3 files, which verify oldest first', async () => {
      const path = join(dir, 'audit.jsonl');
      const sink = new AuditSink({ path, maxBytes: TWO_LINES, maxFiles: 5 });
      await write(sink, 1, 6);
      expect(sink.rotations).toBeGreaterThanOrEqual(2);
      const files = readdirSync(dir)
        .sort()
        .reverse()
        .map((f) => join(dir, f)); // .2, .1, path
      expect(files.length).toBe(3);
      const result = await cli(['audit', 'verify', ...files]);
      expect(result.stdout).toMatch(/^verified 6 lines in 3 files/);
      expect(result.code).toBe(0);
    });

    it('reports a file missing from the middle', async () => {
      const path = join(dir, 'audit.jsonl');
      await write(new AuditSink({ path, maxBytes: TWO_LINES }), 1, 6);
      const result = await cli(['audit', 'verify', `${path}.2`, path]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(
        /audit\.jsonl:1: missing: seq 5 follows seq 2: 2 lines removed before this one \(is a file missing between .*audit\.jsonl\.2 and .*audit\.jsonl\?\)/,
      );
    });

    it('continues from path.1 when the process stopped right after a rotation', async () => {
      const path = join(dir, 'audit.jsonl');
      await write(new AuditSink({ path, maxBytes: TWO_LINES }), 1, 2);
      renameSync(path, `${path}.1`); // rotated, then stopped before the next line
      await write(new AuditSink({ path, maxBytes: TWO_LINES }), 3, 3);
      const result = await cli(['audit', 'verify', `${path}.1`, path]);
      expect(result.stdout).toMatch(/^verified 3 lines in 2 files \(seq 1–3\)/);
      expect(result.code).toBe(0);
    });
  });

  describe('options', () => {
    it('refuses wrong options with a TypeError or RangeError, never echoing a key', () => {
      expect(() => new AuditSink({ path: '' })).toThrow(TypeError);
      expect(() => new AuditSink({ path: 'a', key: '' })).toThrow(TypeError);
      expect(() => new AuditSink({ path: 'a', key: 5 as unknown as string })).toThrow(TypeError);
      expect(() => new AuditSink({ path: 'a', maxBytes: 0 })).toThrow(RangeError);
      expect(() => new AuditSink({ path: 'a', maxFiles: 1.5 })).toThrow(RangeError);
      expect(() => new AuditSink({ path: 'a', keep: 'x' as never })).toThrow(TypeError);
    });
  });
});
