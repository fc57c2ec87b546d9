// The CLI against a fake Jaeger on 127.0.0.1 whose trace holds terminal control sequences in every
// field an attacker can reach (an end user's input becomes an entity id, a service name, meta).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { run as cli } from '../../src/cli/main.js';
import type { OtlpKeyValue, OtlpTracesData } from '../../src/jaeger/otlpJson.js';
import { rebuildTraces } from '../../src/jaeger/rebuildTrace.js';
import { listen } from '../support/listen.js';

const OSC8_LINK = '\u001b]8;;http://evil\u001b\\click\u001b]8;;\u001b\\';
/** Retitles the window, clears the screen, fakes lines (CR and LF), links, reverses, 8-bit CSI. */
const EVIL = `\u001b]0;pwned\u0007\u001b[2J\r12:00:00.000  order_1  fraud cleared\nfake line${OSC8_LINK}\u202e\u009b31m`;
/** EVIL as the CLI must print it, written out by hand. */
const SHOWN =
  '\\x1b]0;pwned\\x07\\x1b[2J\\r12:00:00.000  order_1  fraud cleared\\nfake line' +
  '\\x1b]8;;http://evil\\x1b\\click\\x1b]8;;\\x1b\\\\\\u202e\\x9b31m';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const ENTITY = `order_${EVIL}`;
const KIND = `kind${EVIL}`;
const STAGE = `stage${EVIL}`;
const ACTION = `action${EVIL}`;
const KEY = `key${EVIL}`;
const VALUE = `value${EVIL}`;
const SERVICE = `svc${EVIL}`;
const SPAN_NAME = `span${EVIL}`;

const attributes = (pairs: Record<string, string>): OtlpKeyValue[] =>
  Object.entries(pairs).map(([key, value]) => ({ key, value: { stringValue: value } }));

/** What Jaeger's /api/v3 answers for the trace: one span, a `track`, two decisions. */
function crafted(traceId: string): OtlpTracesData {
  return {
    resourceSpans: [
      {
        resource: { attributes: attributes({ 'service.name': SERVICE }) },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: '1111111111111111',
                name: SPAN_NAME,
                startTimeUnixNano: '1795255200000000000',
                endTimeUnixNano: '1795255200050000000',
                attributes: attributes({ [`stepmark.trace.meta.${KEY}`]: VALUE }),
                events: [
                  {
                    timeUnixNano: '1795255200001000000',
                    name: 'stepmark.track',
                    attributes: attributes({
                      'stepmark.entity.id': ENTITY,
                      'stepmark.entity.kind': KIND,
                      [`stepmark.meta.${KEY}`]: VALUE,
                    }),
                  },
                  {
                    timeUnixNano: '1795255200002000000',
                    name: 'stepmark.event',
                    attributes: attributes({
                      'stepmark.entity.id': ENTITY,
                      'stepmark.entity.kind': KIND,
                      'stepmark.stage': STAGE,
                      'stepmark.action': ACTION,
                      [`stepmark.meta.${KEY}`]: VALUE,
                      // A structured value: printed after JSON.stringify, which leaves C1 and bidi.
                      'stepmark.meta.nested': JSON.stringify({ note: EVIL }),
                    }),
                  },
                  {
                    timeUnixNano: '1795255200003000000',
                    name: 'stepmark.event',
                    attributes: attributes({ 'stepmark.stage': STAGE, 'stepmark.action': ACTION }),
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A fake Jaeger query API answering with `handler`; returns its base URL. */
async function fakeJaeger(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<string> {
  const app = await listen(createServer(handler));
  close = app.close;
  return app.url;
}

/** Jaeger holding the crafted trace (stored under `traceId`), found by any entity search. */
function holdingCrafted(traceId = TRACE) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '';
    if (path === '/api/v3/services') return void res.end(JSON.stringify({ services: [SERVICE] }));
    if (path.startsWith('/api/traces?'))
      return void res.end(JSON.stringify({ data: [{ traceID: TRACE }] }));
    if (path === `/api/v3/traces/${TRACE}`)
      return void res.end(JSON.stringify({ result: crafted(traceId) }));
    res.writeHead(404).end('{"error":{"message":"not found"}}');
  };
}

/** The CLI's own colour codes: SGR with the parameters timeline.ts uses. */
// eslint-disable-next-line no-control-regex -- the CLI's own ESC is what this matches
const OWN_SGR = /\u001b\[(?:0|1|2|33|36)m/g;
/** Any character a terminal acts on, LF aside (the CLI's own line ends are checked by count). */
const CONTROLS =
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** The control characters left in `text` once the CLI's own codes are taken out, as `U+XXXX`. */
function controlsIn(text: string): string[] {
  return (text.replace(OWN_SGR, '').match(CONTROLS) ?? []).map(
    (c) => `U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

describe('stepmark-otel CLI', () => {
  describe('control characters in a trace', () => {
    it('are shown escaped in every field of the trace timeline, colour or not', async () => {
      // A Jaeger (or what sits in front of it) may send any trace id back: it is printed too.
      const url = await fakeJaeger(holdingCrafted(`${TRACE}${EVIL}`));
      for (const tty of [false, true]) {
        const out = await cli(['jaeger', 'trace', TRACE, '--jaeger-url', url], {}, tty);
        expect(out).toMatchObject({ code: 0, stderr: '' });
        expect(controlsIn(out.stdout)).toEqual([]);
        const lines = out.stdout.replace(OWN_SGR, '').split('\n');
        // Header, trace meta, two decisions, the link, and the final line end: no field broke a line.
        expect(lines).toHaveLength(6);
        expect(lines[0]).toBe(`trace ${TRACE}${SHOWN}  1 service(s): svc${SHOWN}  2 event(s)`);
        expect(lines[1]).toBe(`  meta key${SHOWN}=value${SHOWN}`);
        expect(lines[2]).toMatch(/^ {2}\d\d:\d\d:\d\d\.\d{3} {2}\[svc/);
        expect(lines[2]).toContain(
          `[svc${SHOWN}] kind${SHOWN} order_${SHOWN}  stage${SHOWN} action${SHOWN}  key${SHOWN}=value${SHOWN} nested={"note":`,
        );
        expect(lines[3]).toContain(`(request)  stage${SHOWN} action${SHOWN}`);
        // The link uses the id asked for, not the one Jaeger sent back.
        expect(lines[4]).toBe(`  open in Jaeger: ${url}/trace/${TRACE}`);
        expect(lines[5]).toBe('');
      }
      const colour = await cli(['jaeger', 'trace', TRACE, '--jaeger-url', url], {}, true);
      // The CLI's own colours still reach the terminal, around the escaped text.
      expect(colour.stdout).toContain(`\u001b[33maction${SHOWN}\u001b[0m`);
      expect(colour.stdout).toContain(`\u001b[36m[svc${SHOWN}]\u001b[0m`);
    });

    it('are shown escaped in the entity timeline', async () => {
      const url = await fakeJaeger(holdingCrafted());
      for (const tty of [false, true]) {
        const out = await cli(['jaeger', 'entity', ENTITY, '--jaeger-url', url], {}, tty);
        expect(out).toMatchObject({ code: 0, stderr: '' });
        expect(controlsIn(out.stdout)).toEqual([]);
        const lines = out.stdout.replace(OWN_SGR, '').split('\n');
        expect(lines).toHaveLength(4);
        expect(lines[0]).toBe(`kind${SHOWN} order_${SHOWN}  1 trace(s), 1 decision(s)`);
        expect(lines[1]).toBe(`  meta key${SHOWN}=value${SHOWN}`);
        expect(lines[2]).toContain(
          `[svc${SHOWN}] trace ${TRACE}  stage${SHOWN} action${SHOWN}  key${SHOWN}=value${SHOWN}`,
        );
      }
    });

    it('stay exact in --json output', async () => {
      const url = await fakeJaeger(holdingCrafted());
      const trace = await cli(['jaeger', 'trace', TRACE, '--json', '--jaeger-url', url]);
      expect(trace.code).toBe(0);
      // Byte for byte what JSON.stringify makes of the rebuilt trace: nothing escaped twice.
      const [rebuilt] = rebuildTraces(crafted(TRACE));
      expect(trace.stdout).toBe(`${JSON.stringify(rebuilt, null, 2)}\n`);
      const parsed = JSON.parse(trace.stdout);
      const entity = parsed.entities[ENTITY];
      expect(entity).toMatchObject({ entity_id: ENTITY, kind: KIND, meta: { [KEY]: VALUE } });
      expect(entity.events[0]).toMatchObject({
        stage: STAGE,
        action: ACTION,
        service: SERVICE,
        meta: { [KEY]: VALUE, nested: { note: EVIL } },
      });
      expect(parsed.meta).toEqual({ [KEY]: VALUE });
      expect(parsed.spans[0]).toMatchObject({ name: SPAN_NAME, service: SERVICE });

      const history = await cli(['jaeger', 'entity', ENTITY, '--json', '--jaeger-url', url]);
      expect(JSON.parse(history.stdout)).toMatchObject({
        entity_id: ENTITY,
        kind: KIND,
        meta: { [KEY]: VALUE },
        events: [{ stage: STAGE, action: ACTION, service: SERVICE }],
      });
    });
  });

  describe('error messages', () => {
    it("show Jaeger's error body escaped, on one line", async () => {
      for (const [status, body] of [
        [500, `internal error ${EVIL}`],
        [200, `not json ${EVIL}`],
      ] as const) {
        const url = await fakeJaeger((_req, res) => res.writeHead(status).end(body));
        const out = await cli(['jaeger', 'trace', TRACE, '--jaeger-url', url], {}, true);
        expect(out.code).toBe(1);
        expect(controlsIn(out.stderr)).toEqual([]);
        expect(out.stderr.split('\n')).toHaveLength(2);
        expect(out.stderr).toMatch(
          new RegExp(`^Jaeger answered (?:500|non-JSON) for trace ${TRACE}`),
        );
        expect(out.stderr).toContain(SHOWN);
        await close?.();
        close = undefined;
      }
    });

    it('show echoed arguments escaped, on one line', async () => {
      const url = await fakeJaeger(holdingCrafted());
      const runs = [
        ['jaeger', 'trace', `xyz${EVIL}`],
        ['jaeger', 'entity', 'o', '--since', `1h${EVIL}`],
        ['jaeger', 'entity', 'o', '--limit', `5${EVIL}`],
        ['jaeger', 'entity', `other${EVIL}`, '--service', 's', '--jaeger-url', url],
        ['jaeger', 'trace', TRACE, '--jaeger-url', `http://127.0.0.1:9/${EVIL}`],
        ['jaeger', 'trace', TRACE, `--x${EVIL}`],
      ];
      for (const argv of runs) {
        const out = await cli(argv, { JAEGER_URL: '' }, true);
        expect(out.code).toBeGreaterThan(0);
        expect(controlsIn(out.stderr)).toEqual([]);
        expect(out.stderr).toContain(SHOWN);
        // The first line is the message; an unknown option is followed by the usage.
        expect(out.stderr.split('\n')[0]).toContain(SHOWN);
      }
    });
  });
});

describe('stepmark-otel CLI usage', () => {
  /** The first line of stderr, and whether the usage follows it. */
  function usageError(out: { code: number; stdout: string; stderr: string }) {
    const [first, second] = out.stderr.split('\n');
    return { code: out.code, stdout: out.stdout, first, usage: second === 'usage:' };
  }

  it('says what is missing or wrong, then prints the usage, exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [[], 'missing a command: show, view, analyze, audit or jaeger'],
      [['jaeger'], 'missing a jaeger command: trace or entity'],
      [['jaeger', 'trace'], 'missing <traceId>'],
      [['jaeger', 'entity'], 'missing <entityId>'],
      [['jaeger', 'entity', ''], 'missing <entityId>'],
      [['show'], 'missing <file> (a path, or - for stdin)'],
      [['explain', 'x.json'], 'unknown command: explain'],
      [['view'], 'missing <file> (a path, or - for stdin)'],
      [['view', 'a.jsonl', '--entity', 'o'], '--entity: not an option of view'],
      [['jaeger', 'span', TRACE], 'unknown command: jaeger span'],
      [['jaeger', 'trace', TRACE, 'extra'], 'unexpected argument: extra'],
      [['show', 'a.jsonl', '--since', '1h'], '--since: not an option of show'],
      [['show', 'a.jsonl', '--jaeger-url', 'http://x'], '--jaeger-url: not an option of show'],
      [
        ['jaeger', 'trace', TRACE, '--entity', 'order_1'],
        '--entity: not an option of jaeger trace',
      ],
      [['jaeger', 'trace', TRACE, '--nope'], "Unknown option '--nope'"],
    ];
    for (const [argv, message] of cases) {
      const out = usageError(await cli(argv, { JAEGER_URL: '' }));
      expect({ argv, ...out }).toEqual({
        argv,
        code: 2,
        stdout: '',
        first: expect.stringContaining(message),
        usage: true,
      });
    }
  });

  it('prints the usage on --help, exit 0', async () => {
    const out = await cli(['--help']);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout).toMatch(/^usage:\n/);
    expect(out.stdout).toContain(
      'stepmark-otel show <file.json | file.jsonl | -> [--entity ID] [--json]',
    );
    expect(out.stdout).toContain('stepmark-otel --version');
  });

  it("prints the package's version on --version", async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    // Whatever else is on the line.
    expect((await cli(['jaeger', 'trace', '--version'])).stdout).toBe(`${pkg.version}\n`);
  });

  it('refuses a Jaeger URL that is not an http(s) URL, exit 2, before any request', async () => {
    const cases: Array<[string[], NodeJS.ProcessEnv, string]> = [
      [['--jaeger-url', 'localhost:26686'], {}, '--jaeger-url: not a URL: localhost:26686'],
      [['--jaeger-url', 'ftp://127.0.0.1/'], {}, '--jaeger-url: not a URL: ftp://127.0.0.1/'],
      [['--jaeger-url', 'not a url'], {}, '--jaeger-url: not a URL: not a url'],
      [[], { JAEGER_URL: '127.0.0.1:16686' }, 'JAEGER_URL: not a URL: 127.0.0.1:16686'],
    ];
    for (const [flags, env, message] of cases) {
      for (const command of [
        ['jaeger', 'trace', TRACE],
        ['jaeger', 'entity', 'order_1'],
      ]) {
        const out = await cli([...command, ...flags], env);
        expect(out).toEqual({
          code: 2,
          stdout: '',
          stderr: `${message} (expected http:// or https://, e.g. http://localhost:16686)\n`,
        });
      }
    }
  });
});

describe('stepmark-otel jaeger', () => {
  it('trace: ends with a link to the trace in Jaeger UI, under the URL given (path kept), not in --json', async () => {
    const app = await listen(
      createServer((req, res) => {
        // Jaeger behind a path prefix (its --query.base-path).
        req.url = (req.url ?? '').replace(/^\/jaeger/, '');
        holdingCrafted()(req, res);
      }),
    );
    close = app.close;
    const out = await cli([
      'jaeger',
      'trace',
      TRACE.toUpperCase(),
      '--jaeger-url',
      `${app.url}/jaeger/`,
    ]);
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n').slice(-2)).toEqual([
      `  open in Jaeger: ${app.url}/jaeger/trace/${TRACE}`,
      '',
    ]);
    const json = await cli([
      'jaeger',
      'trace',
      TRACE,
      '--json',
      '--jaeger-url',
      `${app.url}/jaeger`,
    ]);
    expect(json.stdout).not.toContain('open in Jaeger');
    expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
  });

  it('entity: prints full trace ids, which jaeger trace takes', async () => {
    const url = await fakeJaeger(holdingCrafted());
    const history = await cli(['jaeger', 'entity', ENTITY, '--jaeger-url', url]);
    const printed = /\btrace ([0-9a-f]+) /.exec(history.stdout)?.[1];
    expect(printed).toBe(TRACE);
    const trace = await cli(['jaeger', 'trace', printed as string, '--jaeger-url', url]);
    expect(trace.code).toBe(0);
  });

  it('trace: the timeline is the one show prints for the same trace read from a file', async () => {
    const url = await fakeJaeger(holdingCrafted());
    const json = await cli(['jaeger', 'trace', TRACE, '--json', '--jaeger-url', url]);
    const dir = mkdtempSync(join(tmpdir(), 'stepmark-cli-'));
    const file = join(dir, 'trace.json');
    writeFileSync(file, json.stdout);
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (const tty of [false, true]) {
      const fromJaeger = await cli(['jaeger', 'trace', TRACE, '--jaeger-url', url], {}, tty);
      const fromFile = await cli(['show', file], {}, tty);
      expect(fromFile).toMatchObject({ code: 0, stderr: '' });
      // The same lines, but the link to Jaeger's UI.
      const lines = fromJaeger.stdout.split('\n');
      expect(fromFile.stdout).toBe([...lines.slice(0, -2), ''].join('\n'));
    }
  });
});
