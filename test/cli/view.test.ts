// `stepmark-otel view`: a file of traces as one self-contained HTML page, read as untrusted input.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run as cli } from '../../src/cli/main.js';
import type { Trace } from '../../src/types.js';
import { tempFiles } from '../support/tempFiles.js';

const { dir, file } = tempFiles('view');

const REJECTED: Trace = {
  trace_id: '0af7651916cd43dd8448eb211c80319c',
  entities: {
    order_43: {
      entity_id: 'order_43',
      events: [{ stage: 'fraud_check', action: 'blocked', timestamp: '2026-12-01T10:00:00.000Z' }],
    },
  },
  spans: [
    {
      span_id: 'a1',
      name: 'POST /checkout',
      start_time: '2026-12-01T10:00:00.000Z',
      end_time: '2026-12-01T10:00:00.010Z',
      duration_ms: 10,
    },
  ],
};

/** The JSON the page embeds for its script. */
function embedded(html: string): { traces: unknown[]; notes: string[] } {
  const json = /<script type="application\/json" id="stepmark-data">([^<]*)<\/script>/.exec(html);
  if (json?.[1] === undefined) throw new Error('no embedded data');
  return JSON.parse(json[1]) as { traces: unknown[]; notes: string[] };
}

describe('stepmark-otel view', () => {
  it('writes the page of a JSON Lines file, naming the lines it skipped', async () => {
    const out = join(dir, 'report.html');
    const path = file(`${JSON.stringify(REJECTED)}\n{"trace_id": "cut\nnot json\n`);
    const result = await cli(['view', path, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `wrote ${out} (1 trace(s), 2 line(s) skipped): open it in a browser\n`,
    );
    expect(result.stderr).toContain(`${path}:2: skipped: not JSON`);
    expect(result.stderr).toContain(`${path}:3: skipped: not JSON`);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(JSON.stringify(embedded(html))).toContain('order_43');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // nothing loaded at view time
  });

  it('prints the page with --out -, reading stdin with -', async () => {
    const result = await cli(['view', '-', '--out', '-'], {}, false, {
      stdin: Readable.from([JSON.stringify([REJECTED, REJECTED])]),
    });
    expect(result.code).toBe(0);
    expect(embedded(result.stdout).traces).toHaveLength(2);
  });

  it('links to Jaeger with --jaeger-url, and only then', async () => {
    const path = file(JSON.stringify(REJECTED));
    const linked = await cli(['view', path, '--out', '-', '--jaeger-url', 'http://jaeger:16686']);
    expect(linked.stdout).toContain('http://jaeger:16686/trace/0af7651916cd43dd8448eb211c80319c');
    const plain = await cli(['view', path, '--out', '-']);
    expect(plain.stdout).not.toContain('/trace/0af7651916cd43dd8448eb211c80319c');
  });

  it('fails with exit 1 on an empty file, a file with no trace, a missing file', async () => {
    const empty = await cli(['view', file(''), '--out', '-']);
    expect([empty.code, empty.stdout]).toEqual([1, '']);
    expect(empty.stderr).toMatch(/no trace in /);
    const junk = await cli(['view', file('[1, 2]'), '--out', '-']);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toContain('item 1: skipped: not a trace');
    const missing = await cli(['view', join(dir, 'nope.jsonl')]);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('no such file') });
  });

  it('refuses a file past the input limit, saying the limit and what to do', async () => {
    const result = await cli(['view', file('x'.repeat(2048))], {}, false, { maxInputBytes: 1024 });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('larger than 0 MiB, the most view reads');
    expect(result.stderr).toContain('| stepmark-otel view -');
  });

  it('says what is wrong with its arguments (exit 2)', async () => {
    const path = file(JSON.stringify(REJECTED));
    expect((await cli(['view', path, '--json'])).code).toBe(2);
    expect((await cli(['view', path, '--entity', 'x'])).stderr).toContain(
      '--entity: not an option of view',
    );
    expect((await cli(['view', path, '--jaeger-url', 'localhost:16686'])).stderr).toContain(
      'not a URL',
    );
    expect((await cli(['view'])).stderr).toContain('missing <file>');
  });

  it('reads a 50 MB file of traces and writes a page with what it cut said on it', async () => {
    const line = JSON.stringify({
      ...REJECTED,
      meta: { note: 'n'.repeat(4_000) },
    });
    const count = Math.ceil((50 * 1024 * 1024) / (line.length + 1));
    const path = join(dir, 'big.jsonl');
    writeFileSync(path, `${line}\n`.repeat(count));
    expect(statSync(path).size).toBeGreaterThanOrEqual(50 * 1024 * 1024);
    const out = join(dir, 'big.html');
    const result = await cli(['view', path, '--out', out]);
    expect(result.code).toBe(0);
    const page = embedded(readFileSync(out, 'utf8'));
    expect(page.traces.length).toBeLessThan(count);
    expect(page.notes.join(' ')).toMatch(/trace/i);
  });
});
