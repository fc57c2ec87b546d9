import type { IncomingMessage, ServerResponse } from 'node:http';
import { integerOption, optionsObject, typeError, warnLikelyTypos } from '../core/checkOptions.js';
import { optionsError } from '../core/options.js';
import { ADMIN_HEADERS, adminRoute, authorizeOption, type AdminRoute } from '../http/adminRoute.js';
import type { RequestHead } from '../http/RequestHead.js';
import type { Trace } from '../types.js';
import { CONTENT_SECURITY_POLICY } from './contentSecurityPolicy.js';
import { renderHtml } from './renderHtml.js';
import {
  jaegerUrlOption,
  titleOption,
  VIEWER_OPTION_NAMES,
  type ViewerOptions,
} from './ViewerOptions.js';

/**
 * Where the route reads its traces: a `StepmarkSpanProcessor` (its `recent(limit)`), or anything
 * with the same method.
 * @example const source: RecentTraceSource = { recent: (limit) => sink.traces.slice(-limit).reverse() }
 */
export interface RecentTraceSource {
  /** Up to `limit` recently finished traces, newest first. */
  recent(limit: number): readonly Trace[];
}

/**
 * Options of `viewerRoute`: where the traces come from, who may see them, and the page's options.
 * Checked when the route is created: a wrong one throws a `TypeError` (wrong type) or `RangeError`
 * (number out of range) naming it.
 * @example viewerRoute({ processor, authorize: tokenAuthorizer({ header: 'x-admin-token', env: 'ADMIN_TOKEN' }) })
 */
export interface ViewerRouteOptions<
  R extends IncomingMessage = IncomingMessage,
> extends ViewerOptions {
  /** The processor whose recent traces are served (see `recentTraces`, default 100 kept). */
  processor: RecentTraceSource;
  /**
   * Who may see the traces; required (traces carry business data). Gets the request and its
   * head (the request itself), as the HTTP middleware's `authorize` does, so `tokenAuthorizer()`
   * fits. The request gets the page only when it returns `true` or a promise of `true`: `false`,
   * anything else, a throw and a rejection all answer 403.
   */
  authorize: (req: R, head: RequestHead) => boolean | Promise<boolean>;
  /** Traces on the page at most, newest first: a whole number from 1 to 1,000. Default 100. */
  limit?: number;
}

/**
 * A Connect-style handler: Express, Connect, `node:http` (without `next`).
 * @example const route: ViewerRoute = viewerRoute({ processor, authorize }); http.createServer(route)
 */
export type ViewerRoute<R extends IncomingMessage = IncomingMessage> = AdminRoute<R>;

/**
 * Traces served unless `limit` says otherwise.
 * @example viewerRoute({ processor, authorize, limit: DEFAULT_VIEWER_LIMIT })
 */
export const DEFAULT_VIEWER_LIMIT = 100;

const ROUTE_OPTION_NAMES: readonly string[] = [
  ...VIEWER_OPTION_NAMES,
  'processor',
  'authorize',
  'limit',
];

export { AUTHORIZE_TIMEOUT_MS } from '../http/adminRoute.js';

/**
 * The page's own policy, plus what only a header can say: no framing by other sites.
 * @example res.setHeader('content-security-policy', VIEWER_CSP_HEADER)
 */
export const VIEWER_CSP_HEADER = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;

interface CheckedRouteOptions<R> {
  processor: RecentTraceSource;
  authorize: (req: R, head: RequestHead) => unknown;
  limit: number;
  page: ViewerOptions;
}

function checkRouteOptions<R>(options: unknown): CheckedRouteOptions<R> {
  const o = optionsObject<Record<string, unknown>>('viewerRoute', options) ?? {};
  const processor = o.processor;
  if (
    typeof processor !== 'object' ||
    processor === null ||
    typeof (processor as { recent?: unknown }).recent !== 'function'
  ) {
    throw typeError(
      'processor',
      'a StepmarkSpanProcessor (an object with recent(limit))',
      processor,
      processor === undefined ? 'pass the processor given to your tracer provider' : undefined,
    );
  }
  const authorize = authorizeOption<R>(
    o.authorize,
    'the viewer serves traces, which carry business data',
  );
  const limit =
    integerOption('limit', o.limit, { min: 1, max: 1_000, expects: 'an integer from 1 to 1000' }) ??
    DEFAULT_VIEWER_LIMIT;
  const page: ViewerOptions = { title: titleOption(o.title) };
  const jaegerUrl = jaegerUrlOption(o.jaegerUrl);
  if (jaegerUrl !== undefined) page.jaegerUrl = jaegerUrl;
  warnLikelyTypos('the options of viewerRoute', o, ROUTE_OPTION_NAMES);
  return { processor: processor as RecentTraceSource, authorize, limit, page };
}

/**
 * A Connect-style handler serving the processor's recent traces as the viewer page
 * (`renderHtml`): off unless mounted, and only for requests `authorize` accepts (403 otherwise).
 * An `authorize` promise that has not settled after 10 s (`AUTHORIZE_TIMEOUT_MS`) is a refusal.
 * GET and HEAD; any other method gets 405. The answer is never cached (`cache-control:
 * no-store`), carries `nosniff` and the page's Content-Security-Policy as a header too. Never
 * throws into the server: a failure answers 500 and is counted as an internal error. `next` is
 * never called: the route answers every request it gets. Throws a `TypeError` at creation without
 * `authorize`, or for a wrong option.
 * @example app.get('/debug/stepmark', viewerRoute({ processor, authorize: tokenAuthorizer() }))
 */
export function viewerRoute<R extends IncomingMessage = IncomingMessage>(
  options: ViewerRouteOptions<R>,
): ViewerRoute<R> {
  let checked: CheckedRouteOptions<R>;
  try {
    checked = checkRouteOptions<R>(options);
  } catch (error) {
    throw optionsError('viewerRoute', error);
  }
  const { processor, authorize, limit, page } = checked;

  function serve(req: R, res: ServerResponse): void {
    const traces = processor.recent(limit);
    const html = renderHtml(traces, page);
    res.writeHead(200, {
      ...ADMIN_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': VIEWER_CSP_HEADER,
      'content-length': String(Buffer.byteLength(html)),
    });
    res.end(req.method === 'HEAD' ? undefined : html);
  }

  return adminRoute<R>({
    name: 'viewerRoute',
    methods: ['GET', 'HEAD'],
    authorize,
    serve,
    failText: 'The stepmark-otel viewer failed; see the server log.',
  });
}
