// Issue 9, repro 7: two requests with one traceparent (an authorized slow one, an untrusted
// baggage one) never see each other's data in what the HTTP adapter hands out, whichever first.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import { withStepmark } from '../../src/http/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';
import { untilDone } from '../support/turns.js';

const TOKEN = 'shared-trace-token';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

let h: Harness;
let server: Server | undefined;
beforeEach(() => {
  h = setupOtel();
});
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  await h.teardown();
});

/** What each request's `onFinish` got, by the request's path. */
type Finished = Map<string, Trace>;

/**
 * A service where `/slow` (authorized) records order_42 cleared and waits for `release`, and
 * `/refund` (baggage only) records order_42 refund approved.
 */
async function serve(): Promise<{ url: string; finished: Finished; release: () => void }> {
  const finished: Finished = new Map();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.url === '/slow') {
      stepmark.recordEntity('order_42', 'fraud_check', 'cleared');
      await released;
    } else {
      stepmark.recordEntity('order_42', 'refund', 'approved');
    }
    res.end('ok');
  };
  server = createServer(
    withStepmark(handler, {
      // No shared key for the baggage flag: upstream baggage is honoured unsigned.
      authorize: (req) => req.headers['x-stepmark-token'] === TOKEN,
      responseHeader: 'X-Stepmark-Trace',
      onFinish: (trace, req) => finished.set(req.url ?? '', trace),
    }),
  );
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, finished, release };
}

const authorized = { 'X-Stepmark': 'true', 'X-Stepmark-Token': TOKEN, traceparent: TRACEPARENT };
const untrusted = { baggage: 'stepmark=1', traceparent: TRACEPARENT };

/** The actions order_42 went through in a trace. */
function actions(trace: Trace | undefined): string[] {
  return (trace?.entities?.order_42?.events ?? []).map((e) => `${e.stage} ${e.action}`);
}

describe('two requests with one trace id', () => {
  it('the authorized caller never reads the other request (it finishes first)', async () => {
    const { url, finished, release } = await serve();
    const slow = fetch(`${url}/slow`, { headers: authorized });
    await untilDone(() => server !== undefined && h.processor.stats().tracesInProgress > 0);
    await (await fetch(`${url}/refund`, { headers: untrusted })).text();
    release();
    const response = await slow;
    await response.text();
    await untilDone(() => finished.size === 2);
    const header = response.headers.get('x-stepmark-trace');
    // Its own part of the trace: its decision, and none of the other request's spans (its own
    // span is still open while the header is written).
    expect(header).not.toBeNull();
    expect(actions(JSON.parse(header ?? '{}') as Trace)).toEqual(['fraud_check cleared']);
    expect(header).not.toContain('/refund');
    expect(actions(finished.get('/slow'))).toEqual(['fraud_check cleared']);
    expect(actions(finished.get('/refund'))).toEqual(['refund approved']);
  });

  it('the authorized caller never reads the other request (it arrives first and ends last)', async () => {
    const { url, finished, release } = await serve();
    const slow = fetch(`${url}/slow`, { headers: authorized });
    await untilDone(() => h.processor.stats().tracesInProgress > 0);
    const refund = fetch(`${url}/refund`, { headers: untrusted });
    await (await refund).text();
    release();
    const response = await slow;
    const header = response.headers.get('x-stepmark-trace');
    await response.text();
    await untilDone(() => finished.size === 2);
    expect(header).not.toBeNull();
    expect(header).not.toContain('refund');
    expect(actions(finished.get('/slow'))).toEqual(['fraud_check cleared']);
    expect(actions(finished.get('/refund'))).toEqual(['refund approved']);
    // Each onFinish gets its own request's span; the processor's sinks get the whole trace.
    expect(finished.get('/slow')?.spans?.map((s) => s.tags?.['url.path'])).toEqual(['/slow']);
    const [whole] = await h.traces();
    expect(actions(whole)).toEqual(['fraud_check cleared', 'refund approved']);
  });
});
