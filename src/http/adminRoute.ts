import type { IncomingMessage, ServerResponse } from 'node:http';
import { functionOption, typeError, undisclosedString } from '../core/checkOptions.js';
import { isThenable } from '../core/isThenable.js';
import { reportInternalError } from '../core/registry.js';
import type { RequestHead } from './RequestHead.js';

/** How long an async `authorize` may take before the request is refused (403). */
export const AUTHORIZE_TIMEOUT_MS = 10_000;

/** The headers of every answer of an admin route: never cached, never sniffed, no referrer. */
export const ADMIN_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * A Connect-style handler: Express, Connect, `node:http` (without `next`). `next` is never called.
 * @example const route: AdminRoute = viewerRoute({ processor, authorize }); http.createServer(route)
 */
export type AdminRoute<R extends IncomingMessage = IncomingMessage> = (
  req: R,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/**
 * The `authorize` option of an admin route, checked: a function, required. `why` says what the
 * route serves that needs one. Throws a TypeError naming the option (the value never echoed).
 */
export function authorizeOption<R>(
  value: unknown,
  why: string,
): (req: R, head: RequestHead) => unknown {
  const hint = (): string =>
    "use tokenAuthorizer({ header: 'x-admin-token', env: 'ADMIN_TOKEN' }) from 'stepmark-otel/http' (a constant-time comparison with a secret from the environment)";
  const authorize = functionOption<(req: R, head: RequestHead) => unknown>(
    'authorize',
    undisclosedString(value),
    '(req, head) => boolean | Promise<boolean>',
    hint,
  );
  if (authorize === undefined)
    throw typeError(
      'authorize',
      `a function (req, head) => boolean | Promise<boolean> (${why}: it needs one)`,
      undefined,
      hint(),
    );
  return authorize;
}

/** A short plain-text answer (ends the response when the headers went out already). */
export function answerText(
  res: ServerResponse,
  status: number,
  text: string,
  extra: Record<string, string> = {},
): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  res.writeHead(status, {
    ...ADMIN_HEADERS,
    'content-type': 'text/plain; charset=utf-8',
    ...extra,
  });
  res.end(`${text}\n`);
}

/** What an admin route is: its name (in reports), methods, gate and work. */
export interface AdminRouteSpec<R extends IncomingMessage> {
  /** Names the route in internal-error reports (`viewerRoute`). */
  name: string;
  /** The methods it answers; any other gets 405 with `allow`. */
  methods: readonly string[];
  /** Who may use it: only `true` (or a promise of `true`) within `AUTHORIZE_TIMEOUT_MS` passes. */
  authorize: (req: R, head: RequestHead) => unknown;
  /** The work of an authorized request; what it throws answers 500. */
  serve: (req: R, res: ServerResponse) => void;
  /** The text of that 500 (no detail of the error: that goes to the server's log). */
  failText: string;
}

/**
 * A Connect-style handler that serves internal data only past `authorize`: a wrong method is
 * 405, a refusal, a throw, a rejection or a verdict not given in time is 403, a failure is 500
 * (reported, never thrown into the server). `next` is never called.
 * @example http.createServer(adminRoute({ name: 'stats', methods: ['GET'], authorize, serve, failText: 'failed' }))
 */
export function adminRoute<R extends IncomingMessage>(
  spec: AdminRouteSpec<R>,
): (req: R, res: ServerResponse) => void {
  const { name, methods, authorize, serve, failText } = spec;
  const allow = methods.join(', ');

  function fail(res: ServerResponse, error: unknown): void {
    reportInternalError(name, error);
    try {
      answerText(res, 500, failText);
    } catch {
      // the socket is gone: nothing left to answer
    }
  }

  function run(req: R, res: ServerResponse): void {
    try {
      serve(req, res);
    } catch (error) {
      fail(res, error);
    }
  }

  return function adminHandler(req, res) {
    try {
      if (!methods.includes(req.method ?? '')) {
        answerText(res, 405, 'Method Not Allowed', { allow });
        return;
      }
      const refuse = (error?: unknown): void => {
        if (error !== undefined) reportInternalError(`${name} authorize`, error);
        answerText(res, 403, 'Forbidden');
      };
      let verdict: unknown;
      try {
        verdict = authorize(req, req);
      } catch (error) {
        refuse(error);
        return;
      }
      if (!isThenable(verdict)) {
        if (verdict === true) run(req, res);
        else refuse();
        return;
      }
      // A verdict that never comes is a refusal: the request is not left hanging on it.
      let decided = false;
      const timer = setTimeout(() => {
        decided = true;
        refuse(new Error(`authorize did not settle within ${AUTHORIZE_TIMEOUT_MS} ms`));
      }, AUTHORIZE_TIMEOUT_MS);
      timer.unref();
      void Promise.resolve(verdict)
        .then(
          (allowed) => {
            if (decided) return;
            decided = true;
            clearTimeout(timer);
            if (allowed === true) run(req, res);
            else refuse();
          },
          (error: unknown) => {
            if (decided) return;
            decided = true;
            clearTimeout(timer);
            refuse(error);
          },
        )
        .catch((error: unknown) => fail(res, error));
    } catch (error) {
      fail(res, error);
    }
  };
}
