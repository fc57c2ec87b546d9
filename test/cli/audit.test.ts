// `stepmark-otel audit verify`: the first line changed, removed or reordered, named with its file
// and line number; the key comes from the environment.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditVerify } from '../../src/cli/audit.js';
import { run as cli } from '../../src/cli/main.js';
import { AuditSink } from '../../src/export/index.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stepmark-audit-cli-'));
  path = join(dir, 'audit.jsonl');
  const sink = new AuditSink({ path, key: 's3cret' });
  for (let i = 1; i <= 5; i++) {
    sink.export({ trace_id: i.toString(16).padStart(32, '0'), meta: { amount: i * 10 } });
  }
  await sink.shutdown();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ENV = { AUDIT_KEY: 's3cret' };
const verify = (env: NodeJS.ProcessEnv = ENV, ...extra: string[]) =>
  cli(['audit', 'verify', path, '--key-env', 'AUDIT_KEY', ...extra], env);

/** Rewrites the trail's lines (without their newlines). */
function edit(change: (lines: string[]) => string[]): void {
  const lines = readFileSync(path, 'utf8').split('\n').slice(0, -1);
  writeFileSync(path, `${change(lines).join('\n')}\n`);
}

describe('audit verify', () => {
  it('verifies an untouched trail', async () => {
    expect(await verify()).toMatchObject({ code: 0, stderr: '' });
    expect((await verify()).stdout).toMatch(/^verified 5 lines in 1 file \(seq 1–5\)/);
  });

  it('reports a line whose content was changed, at that line', async () => {
    edit((l) => l.map((line, i) => (i === 2 ? line.replace('"amount":30', '"amount":3') : line)));
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${path}:3: changed: the line does not match its hash`);
  });

  it('reports a deleted line at the line after it', async () => {
    edit((l) => l.filter((_, i) => i !== 1));
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${path}:2: missing: seq 3 follows seq 1: 1 line removed`);
  });

  it('reports two lines swapped', async () => {
    edit((l) => [l[0], l[2], l[1], l[3], l[4]] as string[]);
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${path}:2: reordered: seq 3 comes before seq 2`);
  });

  it('reports a wrong key, and a keyed trail checked without one', async () => {
    const wrong = await verify({ AUDIT_KEY: 'guess' });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(`${path}:1: key: no line matches its hash: the key is wrong`);
    const none = await cli(['audit', 'verify', path]);
    expect(none.stdout).toContain(':1: key:');
  });

  it('reports a last line cut short (a crash mid-write) as truncated', async () => {
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, -40));
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${path}:5: truncated: the line is incomplete (no newline`);
    expect(result.stdout).toContain('4 lines verified before it');
  });

  it('prints one JSON object with --json', async () => {
    edit((l) => l.slice(0, 4).concat(l[4]!.replace('"amount":50', '"amount":51')));
    const result = await verify(ENV, '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: false,
      lines: 4,
      problem: { file: path, line: 5, kind: 'changed' },
    });
  });

  it('takes the key from the environment only, and says when it is unset', async () => {
    const unset = await verify({});
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('AUDIT_KEY is not set');
    expect((await cli(['audit', 'verify', path, '--key', 's3cret'], ENV)).code).toBe(2);
    expect((await cli(['audit', 'verify'], ENV)).code).toBe(2);
    expect((await cli(['audit', 'verify', join(dir, 'nope')], ENV)).stderr).toMatch(
      /cannot read .*nope: no such file/,
    );
  });

  it('refuses a line longer than its cap instead of buffering it whole', async () => {
    const long = join(dir, 'long.jsonl');
    writeFileSync(long, 'x'.repeat(5_000));
    const result = await auditVerify([long], { json: false, maxLineBytes: 1_024 });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/line 1 is longer than 1024 bytes/);
  });
});
