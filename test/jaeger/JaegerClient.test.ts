import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { run as cli } from '../../src/cli/main.js';
import {
  JaegerClient,
  JaegerHttpError,
  JaegerUnreachableError,
  TraceNotFoundError,
} from '../../src/jaeger/index.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A fake query API on 127.0.0.1 answering with `handler`; returns its base URL. */
async function fake(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const span = (traceId: string, entity: string) => ({
  traceId,
  spanId: '1111111111111111',
  name: 'request',
  events: [
    {
      name: 'stepmark.event',
      attributes: [{ key: 'stepmark.entity.id', value: { stringValue: entity } }],
    },
  ],
});

describe('JaegerClient', () => {
  it("maps Jaeger's own 404 to TraceNotFoundError and any other 404 to a wrong-URL error", async () => {
    const jaeger = await fake((_req, res) =>
      res.writeHead(404).end('{"error":{"httpCode":404,"message":"No traces found"}}'),
    );
    await expect(new JaegerClient(jaeger).getTrace(TRACE)).rejects.toBeInstanceOf(
      TraceNotFoundError,
    );
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    const other = await fake((_req, res) => res.writeHead(404).end('Not Found'));
    const error = await new JaegerClient(other).getTrace(TRACE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JaegerHttpError);
    expect(String(error)).toMatch(/is not a Jaeger query API/);
  });

  it('reports a Jaeger that stalls mid-answer as unreachable, not as a crash', async () => {
    const stalled = await fake((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"result":');
    });
    const error = await new JaegerClient(stalled, { timeoutMs: 300 })
      .getTrace(TRACE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JaegerUnreachableError);
  });

  it('filters a v3 search by attributes itself when Jaeger ignores them', async () => {
    const other = 'f'.repeat(32);
    const jaeger = await fake((_req, res) =>
      res.end(
        JSON.stringify({
          result: {
            resourceSpans: [
              { scopeSpans: [{ spans: [span(TRACE, 'order_a'), span(other, 'order_b')] }] },
            ],
          },
        }),
      ),
    );
    const data = await new JaegerClient(jaeger).findTraces({
      service: 's',
      attributes: { 'stepmark.entity.id': 'order_a' },
      startMin: 0,
    });
    const ids = data.resourceSpans
      ?.flatMap((r) => r.scopeSpans ?? [])
      .flatMap((s) => s.spans ?? [])
      .map((s) => s.traceId);
    expect(ids).toEqual([TRACE]);
  });

  it('falls back to the v3 search when the filtering /api/traces search is gone', async () => {
    const paths: string[] = [];
    const jaeger = await fake((req, res) => {
      paths.push(req.url ?? '');
      if (req.url?.startsWith('/api/traces?'))
        return void res.writeHead(404).end('404 page not found');
      res.end(
        JSON.stringify({
          result: { resourceSpans: [{ scopeSpans: [{ spans: [span(TRACE, 'order_a')] }] }] },
        }),
      );
    });
    const ids = await new JaegerClient(jaeger).findTraceIds({
      service: 's',
      attributes: { 'stepmark.entity.id': 'order_a' },
      startMin: 0,
    });
    expect(ids).toEqual([TRACE]);
    expect(paths[1]).toMatch(/^\/api\/v3\/traces\?.*query\.attributes=/);
  });

  it('reads a search answer of any other shape as no match, never as a crash', async () => {
    // Each body answers both searches; each once failed with a TypeError (null, a list that is a
    // number, an inherited key name as a wanted attribute).
    const bodies = [
      'null',
      '{"data":null}',
      '{"data":[null,{"traceID":5}],"result":{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"x","attributes":7}]}]}]}}',
      '{"result":{"resourceSpans":[null,{"resource":1,"scopeSpans":[{"spans":[null,{"events":[{"attributes":{}}]}]}]}]}}',
    ];
    for (const body of bodies) {
      const jaeger = await fake((req, res) =>
        req.url?.startsWith('/api/traces?') ? res.writeHead(404).end('404') : res.end(body),
      );
      const client = new JaegerClient(jaeger);
      const query = {
        service: 's',
        attributes: { valueOf: 'x', 'stepmark.entity.id': 'o' },
        startMin: 0,
      };
      await expect(client.findTraceIds(query)).resolves.toEqual([]);
      await expect(client.services()).resolves.toEqual([]);
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      const legacy = await fake((_req, res) => res.end(body));
      await expect(new JaegerClient(legacy).findTraceIds(query)).resolves.toEqual([]);
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    }
  });
});

describe('stepmark-otel CLI output', () => {
  const answer = {
    result: {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: TRACE,
                  spanId: '1111111111111111',
                  name: 'POST /checkout',
                  startTimeUnixNano: '1795255200000000000',
                  endTimeUnixNano: '1795255200050000000',
                  events: [
                    {
                      timeUnixNano: '1795255200001000000',
                      name: 'stepmark.event',
                      attributes: [
                        { key: 'stepmark.stage', value: { stringValue: 'fraud_check' } },
                        { key: 'stepmark.action', value: { stringValue: 'cleared' } },
                        { key: 'stepmark.entity.id', value: { stringValue: 'order_42' } },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
  };

  it('colours the timeline on a terminal unless NO_COLOR is set, and never in JSON', async () => {
    const jaeger = await fake((_req, res) => res.end(JSON.stringify(answer)));
    const tty = await cli(['jaeger', 'trace', TRACE, '--jaeger-url', jaeger], {}, true);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain('\u001b[33mcleared\u001b[0m');
    const noColor = await cli(
      ['jaeger', 'trace', TRACE, '--jaeger-url', jaeger],
      { NO_COLOR: '1' },
      true,
    );
    expect(noColor.stdout).not.toContain('\u001b[');
    expect(noColor.stdout).toContain('[checkout] order_42  fraud_check cleared');
    const emptyNoColor = await cli(
      ['jaeger', 'trace', TRACE, '--jaeger-url', jaeger],
      { NO_COLOR: '' },
      true,
    );
    expect(emptyNoColor.stdout).toContain('\u001b[');
    const json = await cli(['jaeger', 'trace', TRACE, '--json'], { JAEGER_URL: jaeger }, true);
    expect(JSON.parse(json.stdout).entities.order_42.events[0].service).toBe('checkout');
  });

  it('treats an empty JAEGER_URL as unset and a malformed trace id as bad usage', async () => {
    const malformed = await cli(['jaeger', 'trace', 'xyz'], { JAEGER_URL: '' });
    expect(malformed).toMatchObject({ code: 2 });
    expect(malformed.stderr).toMatch(/not a trace id/);
    const unreachable = await cli(
      ['jaeger', 'trace', TRACE, '--jaeger-url', 'http://127.0.0.1:9'],
      { JAEGER_URL: '' },
    );
    expect(unreachable.code).toBe(1);
    expect((await cli(['jaeger', 'entity', 'o', '--limit', '0'])).code).toBe(2);
  });
});
