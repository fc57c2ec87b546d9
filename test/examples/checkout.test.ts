import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { main } from '../../examples/checkout/main.js';
import { run as cli } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'stepmark-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// The demo registers its provider globally, once per process as a service does: undone for the next run.
afterEach(() => {
  trace.disable();
  context.disable();
});

/** Runs the demo, returning what it printed, line by line, and the traces it returned. */
async function demo(options: { json?: boolean; jsonFile: string }) {
  const printed: string[] = [];
  const traces = await main({ ...options, print: (text) => printed.push(text) });
  return { lines: printed.join('\n').split('\n'), traces };
}

describe('examples/checkout (npm start)', () => {
  it("prints each traced order's decisions as a timeline, the JSON going to a file", async () => {
    const jsonFile = join(dir, 'traces.jsonl');
    const { lines, traces } = await demo({ jsonFile });
    expect(lines[0]).toMatch(/^stepmark-otel checkout demo; spans go to /);
    expect(lines.filter((l) => /^order_\d+: /.test(l))).toEqual([
      'order_41: accepted total 12 [not traced]',
      'order_42: accepted total 48.6',
      'order_43: rejected (fraud)',
    ]);
    expect(traces.map((t) => t.meta?.order_id)).toEqual(['order_42', 'order_43']);
    const [accepted, rejected] = traces;

    // Each traced order's summary line is followed by its timeline; none for the untraced one.
    const at = (line: string) => lines.indexOf(line);
    expect(lines[at('order_41: accepted total 12 [not traced]') + 1]).toBe('');
    expect(lines[at('order_42: accepted total 48.6') + 1]).toBe(
      `trace ${accepted?.trace_id}  9 event(s)`,
    );
    const blocked = at('order_43: rejected (fraud)');
    expect(lines.slice(blocked + 1, blocked + 5)).toEqual([
      `trace ${rejected?.trace_id}  2 event(s)`,
      '  meta order_id=order_43',
      expect.stringMatching(
        /^ {2}\d\d:\d\d:\d\d\.\d{3} {2}order order_43 {2}validate passed {2}items=1$/,
      ),
      expect.stringMatching(
        /^ {2}\d\d:\d\d:\d\d\.\d{3} {2}order order_43 {2}fraud_check blocked {2}score=0\.91 rules=\["high-risk-country","new-card"\]$/,
      ),
    ]);
    // No JSON without --json; a line says where it went.
    expect(lines.filter((l) => l.includes('"action"'))).toEqual([]);
    expect(lines).toContain(`The full JSON of these traces is in ${jsonFile}`);
    // And the page of the same traces, self-contained, with the rejected order in it.
    const report = jsonFile.replace(/\.jsonl$/, '.html');
    expect(lines).toContain(`The same traces as a page to open in a browser: ${report}`);
    const html = readFileSync(report, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('order_43');

    // The file holds the traces as JSON Lines, and `stepmark-otel show` prints the same timelines.
    const file = readFileSync(jsonFile, 'utf8');
    expect(
      file
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual(traces);
    const shown = await cli(['show', jsonFile]);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    for (const timeline of shown.stdout.trimEnd().split('\n\n')) {
      const first = lines.indexOf(timeline.split('\n')[0] as string);
      expect(lines.slice(first, first + timeline.split('\n').length).join('\n')).toBe(timeline);
    }

    expect(accepted?.entities?.order_42?.events.map((e) => `${e.stage}:${e.action}`)).toEqual([
      'validate:passed',
      'fraud_check:cleared',
      'reserveInventory:reserved',
      'price:entered',
      'pricing:discounted',
      'price:exited',
      'payment:captured',
    ]);
    expect(Object.keys(accepted?.entities ?? {}).sort()).toEqual([
      'order_42',
      'sku_book',
      'sku_lamp',
    ]);
    expect(rejected?.entities?.order_43?.events.at(-1)).toMatchObject({
      stage: 'fraud_check',
      action: 'blocked',
      meta: { score: 0.91, rules: ['high-risk-country', 'new-card'] },
    });
    expect(rejected?.spans?.map((s) => s.name)).toEqual([
      'validate',
      'fraud_check',
      'POST /checkout order_43',
    ]);
  });

  it('prints the JSON of each trace under its timeline with --json', async () => {
    const { lines, traces } = await demo({ json: true, jsonFile: join(dir, 'json.jsonl') });
    const text = lines.join('\n');
    const printed = traces.map((t) => {
      const start = text.indexOf(`{\n  "trace_id": "${t.trace_id}"`);
      const end = text.indexOf('\n}', start) + 2;
      return JSON.parse(text.slice(start, end)) as unknown;
    });
    expect(printed).toEqual(traces);
    expect(text).toContain('"action": "blocked"');
  });
});
