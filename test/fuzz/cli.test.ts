// Issue 9: the `stepmark-otel` CLI with arbitrary argv, against a fake Jaeger on 127.0.0.1 that
// answers with mutated real exports, errors and garbage, and `show` reading files and stdin that
// hold mutated real traces, garbage and deep nesting. `run` always resolves to a CliResult
// (never rejects) within its budget, and what it prints carries no raw terminal controls.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc, { type Arbitrary, type JsonValue } from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type CliResult } from '../../src/cli/main.js';
import type { OtlpTracesData } from '../../src/jaeger/index.js';
import type { Trace } from '../../src/types.js';
import { configureFuzz, fuzzTimeout } from './support/fuzzConfig.js';
import { weirdString } from './support/hostile.js';
import { listOf } from '../../src/core/jsonShape.js';
import { describeMutations, mutate, mutation } from './support/jsonMutations.js';
import { measured, printSummary, type PropertyMeter } from './support/PropertyMeter.js';
import { recordExport } from './support/recordExport.js';

configureFuzz();

let exported: OtlpTracesData;
let recorded: Trace[];
let traceIds: string[];
/** Files `show` reads: the recorded traces as JSON Lines (one line cut short) and as a JSON array. */
let files: { dir: string; jsonl: string; json: string };
let server: Server;
let url: string;

/** How the fake Jaeger answers one endpoint in the current case. */
interface Answer {
  status: number;
  /** Built when the request comes (a mutated export is serialized then, not at generation). */
  body: () => string;
}
let answers: Record<'services' | 'search' | 'trace' | 'v3search', Answer>;

beforeAll(async () => {
  ({ exported, recorded } = await recordExport());
  const dir = mkdtempSync(join(tmpdir(), 'stepmark-fuzz-cli-'));
  files = { dir, jsonl: join(dir, 'traces.jsonl'), json: join(dir, 'traces.json') };
  const lines = recorded.map((t) => JSON.stringify(t));
  writeFileSync(files.jsonl, `${lines.join('\n')}\n${(lines[0] ?? '').slice(0, 30)}`);
  writeFileSync(files.json, JSON.stringify(recorded, null, 2));
  traceIds = [
    ...new Set(
      (exported.resourceSpans ?? []).flatMap((r) =>
        (r.scopeSpans ?? []).flatMap((s) => (s.spans ?? []).map((span) => span.traceId)),
      ),
    ),
  ];
  server = createServer((req, res) => {
    const path = req.url ?? '';
    const answer = path.startsWith('/api/v3/services')
      ? answers.services
      : path.startsWith('/api/traces?')
        ? answers.search
        : path.startsWith('/api/v3/traces?')
          ? answers.v3search
          : answers.trace;
    res.statusCode = answer.status;
    res.end(answer.body());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(files.dir, { recursive: true, force: true });
  printSummary('cli');
});

const json = (value: () => unknown): Answer => ({
  status: 200,
  body: () => JSON.stringify(value()),
});
const text = (status: number, body: string): Answer => ({ status, body: () => body });

/** One endpoint's answer: the right shape (with a mutated export), an error, or garbage. */
function answer(ok: Arbitrary<Answer>): Arbitrary<Answer> {
  return fc.oneof(
    { weight: 4, arbitrary: ok },
    { weight: 1, arbitrary: fc.constant(text(404, '{"error":{"code":404}}')) },
    { weight: 1, arbitrary: fc.constant(text(404, 'not found')) },
    { weight: 1, arbitrary: fc.constant(text(500, '\u001b[2Jinternal\r\nerror')) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((b) => text(200, b)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v: JsonValue) => json(() => v)) },
  );
}

/**
 * A real export, mutated. Nested at most 200 deep and repeated at most 100 times here: the fake
 * Jaeger must JSON.stringify it (the reader itself gets the big ones in jaeger.test.ts).
 */
const exportAnswer: Arbitrary<Answer> = fc
  .oneof(
    fc.constant([]),
    fc.array(
      mutation.filter(
        (m) => (m.kind !== 'nest' || m.depth <= 200) && (m.kind !== 'repeat' || m.times <= 100),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map((ms) => ({
    ...json(() => ({ result: ms.length === 0 ? exported : mutate(exported, ms) })),
    [fc.toStringMethod]: () => (ms.length === 0 ? 'the export' : describeMutations(ms)),
  }));

const jaegerAnswers = fc.record({
  services: answer(
    fc
      .array(fc.oneof(fc.constantFrom('checkout', 'inventory'), weirdString), { maxLength: 3 })
      .map((s) => json(() => ({ services: s }))),
  ),
  search: answer(
    fc.array(fc.oneof(fc.constant(''), weirdString), { maxLength: 3 }).map((ids) =>
      json(() => ({
        data: ids.map((id, i) => ({ traceID: id || traceIds[i % traceIds.length] })),
      })),
    ),
  ),
  trace: answer(exportAnswer),
  v3search: answer(exportAnswer),
});

/** Arguments: the CLI's own words and flags, ids, and arbitrary text (never a URL elsewhere). */
const token: Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'jaeger',
    'trace',
    'entity',
    'view',
    'show',
    'audit',
    '--json',
    '--help',
    '-h',
    '--',
    '--nope',
    '-x',
  ),
  fc.constantFrom('--since', '--limit', '--service', '--jaeger-url'),
  fc.constantFrom(
    '1h',
    '30m',
    '2d',
    '1h30m',
    '0s',
    '-1h',
    '99999999d',
    '1',
    '0',
    '-5',
    '1e3',
    '100',
  ),
  fc.constantFrom('order_1', 'order_2', '0af7651916cd43dd8448eb211c80319c'),
  fc.constantFrom('--since=1h', '--limit=2', '--json=true', '--service=checkout', '--jaeger-url='),
  weirdString.filter((s) => !s.includes(':')),
);

/** Flags with their values, as a well-formed command takes them. */
const flags: Arbitrary<string[]> = fc
  .array(
    fc.oneof(
      fc.constantFrom(['--json'], ['--since=1h'], ['--limit=2'], ['--jaeger-url=']),
      fc
        .tuple(
          fc.constantFrom('--since', '--limit', '--service'),
          fc.oneof(
            fc.constantFrom(
              '1h',
              '30m',
              '0s',
              '-1h',
              '99999999d',
              '1',
              '2',
              '0',
              '1e3',
              'checkout',
            ),
            weirdString.filter((s) => !s.includes(':')),
          ),
        )
        .map((pair) => [...pair]),
      fc.constant(['--jaeger-url', '__URL__']),
    ),
    { maxLength: 4 },
  )
  .map((list) => list.flat());

const weirdId = weirdString.filter((s) => !s.includes(':'));
const hex32 = fc.string({
  unit: fc.constantFrom(...'0123456789abcdefABCDEF'),
  minLength: 32,
  maxLength: 32,
});

/** `show`'s flags, with an entity of the recorded traces or not. */
const showFlags: Arbitrary<string[]> = fc
  .array(
    fc.oneof(
      fc.constant(['--json']),
      fc.constant(['--entity=order_1']),
      fc
        .oneof(fc.constantFrom('order_1', 'order_2', 'nobody'), weirdId)
        .map((id) => ['--entity', id]),
    ),
    { maxLength: 3 },
  )
  .map((list) => list.flat());

const argv: Arbitrary<string[]> = fc.oneof(
  { weight: 1, arbitrary: fc.array(token, { maxLength: 7 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('__JSONL__', '__JSON__', '-', '-', '-'), showFlags)
      .map(([target, rest]) => ['show', target, ...rest]),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.oneof({ weight: 3, arbitrary: fc.constant('__TRACE_ID__') }, hex32, weirdId), flags)
      .map(([target, rest]) => ['jaeger', 'trace', target, ...rest]),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.oneof(fc.constantFrom('order_1', 'order_2'), weirdId), flags)
      .map(([target, rest]) => ['jaeger', 'entity', target, ...rest]),
  },
);

/**
 * What `show -` reads: the recorded traces mutated (as JSON Lines or one JSON array), with a line
 * of garbage or not; bytes; or a trace whose meta nests 100,000 deep (which JSON.parse takes and
 * JSON.stringify would overflow on).
 */
const stdinText: Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.array(
          mutation.filter(
            (m) => (m.kind !== 'nest' || m.depth <= 200) && (m.kind !== 'repeat' || m.times <= 100),
          ),
          { maxLength: 3 },
        ),
        fc.boolean(),
        fc.option(weirdString, { nil: undefined }),
      )
      .map(([ms, lines, garbage]) => {
        const traces = mutate(recorded, ms) as unknown[];
        const text = lines
          ? listOf(traces)
              .map((t) => JSON.stringify(t))
              .join('\n')
          : JSON.stringify(traces, null, 2);
        return garbage === undefined ? text : `${text}\n${garbage}`;
      }),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constant(
      `{"trace_id":"deep","meta":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
    ),
  },
);

/** Where `--jaeger-url` may point: the fake, a closed port, a wrong path, not a URL. */
const jaegerUrl = fc.constantFrom(
  '__FAKE__',
  'http://127.0.0.1:1',
  '__FAKE__/prefix/',
  'not a url',
  'ftp://127.0.0.1/',
);

// Built from text, as src/cli/terminalText.ts does: these patterns are about control characters.
/** Controls a terminal acts on (see src/cli/terminalText.ts), LF aside. */
const RAW_CONTROL = new RegExp(
  String.raw`[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]`,
);
/** C0 controls but LF: JSON.stringify escapes them. */
const C0_BUT_LF = new RegExp(String.raw`[\u0000-\u0009\u000b-\u001f]`);
/** The SGR sequences of the coloured timeline. */
const SGR = new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g');

function checkResult(result: CliResult, asJson: boolean, colored: boolean): void {
  expect([0, 1, 2]).toContain(result.code);
  expect(typeof result.stdout).toBe('string');
  expect(typeof result.stderr).toBe('string');
  expect(result.stderr, 'stderr').not.toMatch(RAW_CONTROL);
  if (result.code !== 0) return;
  if (asJson) {
    expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
    // JSON.stringify escapes C0 controls; C1 and bidi stay exact in --json, by design.
    expect(result.stdout).not.toMatch(C0_BUT_LF);
  } else {
    const shown = colored ? result.stdout.replace(SGR, '') : result.stdout;
    expect(shown, 'timeline').not.toMatch(RAW_CONTROL);
  }
}

async function runOnce(
  meter: PropertyMeter,
  args: string[],
  env: NodeJS.ProcessEnv,
  isTty: boolean,
  stdin: string,
): Promise<void> {
  // Never the worker's own stdin: `show -` reads this stream.
  const io = { stdin: Readable.from([Buffer.from(stdin)]) };
  const result = await meter.callAsync(`run(${JSON.stringify(args).slice(0, 80)})`, () =>
    run(args, env, isTty, io),
  );
  const help = args.includes('-h') || args.includes('--help');
  const parsedJson =
    !help && args.includes('--json') && !args.slice(0, args.indexOf('--json')).includes('--');
  checkResult(result, parsedJson, isTty && !env.NO_COLOR);
  meter.count(`exit ${result.code}`);
  // Any argv and any answer of Jaeger's end in a documented error, never in a bug's stack.
  expect(result.stderr, 'an unexpected error').not.toMatch(/^unexpected error/);
}

describe('fuzz: stepmark-otel CLI', () => {
  it(
    'run(argv) resolves to a CliResult for any argv and any Jaeger answer, and prints no raw controls',
    () =>
      measured('cli: run(argv, env)', async (meter) => {
        await fc.assert(
          fc.asyncProperty(
            argv,
            jaegerAnswers,
            jaegerUrl,
            fc.boolean(),
            fc.boolean(),
            stdinText,
            async (args, jaeger, jaegerAt, isTty, noColor, stdin) => {
              meter.case();
              answers = jaeger;
              const target = jaegerAt.replace('__FAKE__', url);
              const given = args.map((a) =>
                a === '__TRACE_ID__'
                  ? (traceIds[0] as string)
                  : a === '__JSONL__'
                    ? files.jsonl
                    : a === '__JSON__'
                      ? files.json
                      : a === '--jaeger-url='
                        ? `--jaeger-url=${target}`
                        : a === '__URL__'
                          ? target
                          : a,
              );
              // A --jaeger-url followed by anything points at `target`, never elsewhere.
              const safe = given.map((a, i) => (given[i - 1] === '--jaeger-url' ? target : a));
              const env = { JAEGER_URL: url, ...(noColor ? { NO_COLOR: '1' } : {}) };
              await runOnce(meter, safe, env, isTty, stdin);
            },
          ),
        );
      }),
    fuzzTimeout(300),
  );
});
