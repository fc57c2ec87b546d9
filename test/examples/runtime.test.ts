// `npm run example:runtime`, run as a user runs it: two requests at once, A held up by B's 100 ms
// region `parseReport`; the report names B, and the capture it writes is a valid Chrome trace.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromeTraceProblems } from '../support/chromeTraceFormat.js';
import { runExample } from '../support/runExample.js';

describe('example: runtime (npm run example:runtime)', () => {
  it('names the request and region that held A up, and writes a valid Chrome trace', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'stepmark-runtime-example-')), 'capture.json');
    const { code, stdout, stderr } = await runExample('examples/runtime/main.ts', ['--out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const b = /^B POST \/reports {2}trace ([0-9a-f]{8})…/m.exec(stdout)?.[1];
    expect(b).toBeDefined();
    // B's 100 ms loop is past the 20 ms threshold however slow the machine: A names it.
    expect(stdout).toMatch(
      new RegExp(`^ {2}blocked [0-9.]+ ms by trace ${b}… in task report, region parseReport$`, 'm'),
    );
    expect(stdout).toMatch(
      /^ {2}held the loop [0-9.]+ ms in region parseReport, blocking 1 traced request\(s\)$/m,
    );
    const document = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: { name: string }[] };
    expect(chromeTraceProblems(document)).toEqual([]);
    const names = document.traceEvents.map((e) => e.name);
    expect(names).toEqual(
      expect.arrayContaining(['checkout', 'reserveStock', 'report', 'parseReport']),
    );
  }, 90_000);
});
