import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Agent, request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';
import { listen } from '../support/listen.js';
import type { RunningApp } from '../support/adapterSuite.js';

let h: Harness;
let app: RunningApp;
let received: IncomingHttpHeaders[];
beforeEach(async () => {
  h = setupOtel();
  received = [];
  const server: Server = createServer((req, res) => {
    received.push(req.headers);
    res.end('ok');
  });
  app = await listen(server);
});
afterEach(async () => {
  await app.close();
  await h.teardown();
});

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

describe('fetch and undici propagation', () => {
  it('fetchWithPropagation sends traceparent and baggage stepmark=1 from a traced request', async () => {
    await h.request(async () => {
      const response = await stepmark.fetchWithPropagation(app.url, {
        headers: { 'x-mine': '1' },
      });
      await response.text();
    });
    expect(received[0]?.traceparent).toMatch(TRACEPARENT);
    expect(received[0]?.baggage).toBe('stepmark=1');
    expect(received[0]?.['x-mine']).toBe('1');
  });

  it('withPropagation keeps the caller headers (a Headers, pairs) and an existing traceparent', async () => {
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await h.request(async () => {
      await (await fetch(app.url, stepmark.withPropagation({ headers: [['x-a', 'b']] }))).text();
      const headers = new Headers({ traceparent: own });
      await (await fetch(app.url, stepmark.withPropagation({ headers }))).text();
    });
    expect(received[0]?.['x-a']).toBe('b');
    expect(received[0]?.traceparent).toMatch(TRACEPARENT);
    expect(received[1]?.traceparent).toBe(own);
    expect(received[1]?.baggage).toBe('stepmark=1');
  });

  it('keeps the headers of a Request given to fetchWithPropagation', async () => {
    await h.request(async () => {
      const request = new Request(app.url, { headers: { authorization: 'Bearer t' } });
      await (await stepmark.fetchWithPropagation(request)).text();
    });
    expect(received[0]?.authorization).toBe('Bearer t');
    expect(received[0]?.baggage).toBe('stepmark=1');
  });

  it('adds nothing outside a traced request', async () => {
    await (await stepmark.fetchWithPropagation(app.url)).text();
    expect(received[0]?.traceparent).toBeUndefined();
    expect(received[0]?.baggage).toBeUndefined();
  });

  it('undiciPropagation adds the headers to undici requests (record and flat-array headers)', async () => {
    const agent = new Agent().compose(stepmark.undiciPropagation());
    await h.request(async () => {
      await (await request(app.url, { dispatcher: agent, headers: { 'x-r': '1' } })).body.text();
      await (await request(app.url, { dispatcher: agent, headers: ['x-f', '2'] })).body.text();
    });
    await (await request(app.url, { dispatcher: agent })).body.text();
    await agent.close();
    expect(received[0]?.['x-r']).toBe('1');
    expect(received[0]?.traceparent).toMatch(TRACEPARENT);
    expect(received[0]?.baggage).toBe('stepmark=1');
    expect(received[1]?.['x-f']).toBe('2');
    expect(received[1]?.baggage).toBe('stepmark=1');
    expect(received[2]?.traceparent).toBeUndefined();
  });
});
