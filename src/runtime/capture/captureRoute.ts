import type { IncomingMessage, ServerResponse } from 'node:http';
import { integerOption, optionsObject, warnLikelyTypos } from '../../core/checkOptions.js';
import { optionsError } from '../../core/options.js';
import { reportInternalError } from '../../core/registry.js';
import {
  ADMIN_HEADERS,
  adminRoute,
  answerText,
  authorizeOption,
  type AdminRoute,
} from '../../http/adminRoute.js';
import type { RequestHead } from '../../http/RequestHead.js';
import type { Capture } from './Capture.js';
import { captureDocument, captureFileName } from './captureDocument.js';
import { MAX_BYTES_RULE, MAX_TRACES_RULE, type CaptureLimits } from './CaptureOptions.js';
import { captureCounters } from './captureStats.js';
import { startCapture } from './startCapture.js';

/**
 * Options of `captureRoute`: who may capture, and how long a capture may last. Checked when the
 * route is created: a wrong one throws a `TypeError`/`RangeError` naming it.
 * @example captureRoute({ authorize: tokenAuthorizer({ header: 'x-admin-token', env: 'ADMIN_TOKEN' }), maxDurationMs: 10_000 })
 */
export interface CaptureRouteOptions<R extends IncomingMessage = IncomingMessage> {
  /**
   * Who may capture; required (a capture records every request, with its business data). Gets
   * the request and its head, as the HTTP middleware's `authorize` does, so `tokenAuthorizer()`
   * fits. Only `true` (or a promise of `true`) captures: anything else, a throw, a rejection, or
   * no verdict within 10 s answers 403.
   */
  authorize: (req: R, head: RequestHead) => boolean | Promise<boolean>;
  /** Longest capture asked for (`?durationMs=`), in ms: longer ones are cut to it. From 1 to 300,000. Default 10,000. */
  maxDurationMs?: number;
  /** `maxTraces` of each capture (see `startCapture`). Default 1,000. */
  maxTraces?: number;
  /** `maxBytes` of each capture (see `startCapture`). Default 64 MiB. */
  maxBytes?: number;
}

/**
 * A Connect-style handler: Express, Connect, `node:http` (without `next`).
 * @example const route: CaptureRoute = captureRoute({ authorize }); app.get('/debug/capture', route)
 */
export type CaptureRoute<R extends IncomingMessage = IncomingMessage> = AdminRoute<R>;

/** The text of a 500 (the error itself goes to the server's log). */
const FAIL_TEXT = 'The stepmark-otel capture failed; see the server log.';
/** Longest `maxDurationMs`: an HTTP request held open longer would meet proxies' timeouts. */
const MAX_ROUTE_DURATION_MS = 300_000;
/** Default of `maxDurationMs`: 10 s. */
export const DEFAULT_ROUTE_MAX_DURATION_MS = 10_000;
/** The capture's duration when the request names none: 1 s (or `maxDurationMs`, if shorter). */
export const DEFAULT_ROUTE_DURATION_MS = 1_000;

const OPTION_NAMES: readonly string[] = ['authorize', 'maxDurationMs', 'maxTraces', 'maxBytes'];

interface RouteSetup<R> {
  authorize: (req: R, head: RequestHead) => unknown;
  maxDurationMs: number;
  maxTraces: number | undefined;
  maxBytes: number | undefined;
}

function checkRouteOptions<R>(options: unknown): RouteSetup<R> {
  const o = optionsObject<Record<string, unknown>>('captureRoute', options) ?? {};
  const authorize = authorizeOption<R>(
    o.authorize,
    'a capture records every request, with its business data',
  );
  const maxDurationMs =
    integerOption('maxDurationMs', o.maxDurationMs, {
      min: 1,
      max: MAX_ROUTE_DURATION_MS,
      expects: `an integer from 1 to ${MAX_ROUTE_DURATION_MS} (ms)`,
    }) ?? DEFAULT_ROUTE_MAX_DURATION_MS;
  const maxTraces = integerOption('maxTraces', o.maxTraces, MAX_TRACES_RULE);
  const maxBytes = integerOption('maxBytes', o.maxBytes, MAX_BYTES_RULE);
  warnLikelyTypos('the options of captureRoute', o, OPTION_NAMES);
  return { authorize, maxDurationMs, maxTraces, maxBytes };
}

/** The `durationMs` query parameter: whole milliseconds >= 1, cut to `max`; undefined when malformed. */
function durationOf(url: string | undefined, max: number): number | undefined {
  let query: URLSearchParams;
  try {
    query = new URL(url ?? '/', 'http://localhost').searchParams;
  } catch {
    return undefined; // a request line no URL parser takes: as malformed as a bad duration
  }
  const all = query.getAll('durationMs');
  if (all.length === 0) return Math.min(DEFAULT_ROUTE_DURATION_MS, max);
  const text = all[0] as string;
  if (all.length > 1 || !/^[0-9]{1,10}$/.test(text)) return undefined;
  const ms = Number(text);
  return ms >= 1 ? Math.min(ms, max) : undefined;
}

/**
 * An opt-in admin route that captures on request: `GET ?durationMs=500` records every request
 * for that long (default 1 s, cut to `maxDurationMs`, default 10 s) and answers with the capture
 * in the Chrome trace format (`application/json`, as an attachment `stepmark-capture-<time>.json`,
 * for https://ui.perfetto.dev), its stats in `otherData.capture`. Only for requests `authorize`
 * accepts (403 otherwise); 400 for a `durationMs` that is not a whole number >= 1; 405 for a
 * method other than GET; 409 while a capture of this route runs (counted in
 * `captureStats().routeBusy`); 503 when no `StepmarkSpanProcessor` is registered. A client that
 * goes away ends its capture. Never throws into the server: a failure answers 500, counted as an
 * internal error. `next` is never called. Throws a `TypeError` at creation without `authorize`.
 * @example app.get('/debug/stepmark/capture', captureRoute({ authorize: tokenAuthorizer() }))
 */
export function captureRoute<R extends IncomingMessage = IncomingMessage>(
  options: CaptureRouteOptions<R>,
): CaptureRoute<R> {
  let setup: RouteSetup<R>;
  try {
    setup = checkRouteOptions<R>(options);
  } catch (error) {
    throw optionsError('captureRoute', error);
  }
  const { authorize, maxDurationMs } = setup;
  let running: Capture | undefined;

  function fail(res: ServerResponse, error: unknown): void {
    reportInternalError('captureRoute', error);
    try {
      answerText(res, 500, FAIL_TEXT);
    } catch {
      // the socket is gone: nothing left to answer
    }
  }

  function capture(req: R, res: ServerResponse): void {
    const durationMs = durationOf(req.url, maxDurationMs);
    if (durationMs === undefined) {
      answerText(res, 400, 'durationMs must be a whole number of milliseconds >= 1');
      return;
    }
    if (running !== undefined) {
      captureCounters.routeBusy++;
      answerText(res, 409, 'A capture is running; try again when it ends.');
      return;
    }
    const limits: Partial<CaptureLimits> = { durationMs };
    if (setup.maxTraces !== undefined) limits.maxTraces = setup.maxTraces;
    if (setup.maxBytes !== undefined) limits.maxBytes = setup.maxBytes;
    const current = startCapture(limits);
    running = current;
    // A client that goes away does not need its capture: end it now.
    const gone = (): void => void current.stop();
    res.once('close', gone);
    void (async () => {
      try {
        await current.ended;
        const traces = await current.stop();
        const stats = current.stats();
        if (stats.reason === 'no-processor') {
          answerText(res, 503, 'No StepmarkSpanProcessor is registered: nothing to capture.');
          return;
        }
        const body = JSON.stringify(captureDocument(traces, stats));
        if (res.headersSent || res.destroyed) return;
        res.writeHead(200, {
          ...ADMIN_HEADERS,
          'content-type': 'application/json; charset=utf-8',
          'content-disposition': `attachment; filename="${captureFileName(stats)}"`,
          'content-length': String(Buffer.byteLength(body)),
        });
        res.end(body);
      } catch (error) {
        fail(res, error);
      } finally {
        res.removeListener('close', gone);
        running = undefined;
      }
    })();
  }

  return adminRoute<R>({
    name: 'captureRoute',
    methods: ['GET'],
    authorize,
    serve: capture,
    failText: FAIL_TEXT,
  });
}
