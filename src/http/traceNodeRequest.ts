import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, type Context } from '@opentelemetry/api';
import { safely } from './safely.js';
import type { TracedRequest } from './RequestGate.js';

/**
 * Ties a traced request to Node's request and response: listeners on the request (a body
 * parser's) run in the traced context, the trace header is set just before the headers go out
 * (if they have not yet), and the request finishes when the response does or the client goes
 * away. `route` is read at the end, once the framework has matched one.
 * @example traceNodeRequest(traced, req, res, 'X-Stepmark-Trace', () => req.route?.path)
 */
export function traceNodeRequest(
  traced: TracedRequest,
  req: IncomingMessage,
  res: ServerResponse,
  responseHeader: string | undefined,
  route?: () => string | undefined,
): void {
  // Body chunks arrive from the socket, outside any request's context (instrumentation-http
  // binds the request as well); a request without a body has no such events to bind.
  if (hasBody(req)) bindListeners(req, traced.ctx);
  if (traced.expose && responseHeader !== undefined) exposeTrace(res, traced, responseHeader);
  const finish = () =>
    traced.finish({
      attributes: {
        'http.response.status_code': res.statusCode,
        ...(res.writableFinished ? {} : { 'http.aborted': true }),
      },
      error: res.statusCode >= 500,
      route: route === undefined ? undefined : safely('route', route, undefined),
    });
  res.once('finish', finish);
  res.once('close', finish);
}

type Listener = (...args: unknown[]) => void;
type AddListener = (this: unknown, event: string | symbol, listener: Listener) => unknown;

/**
 * Runs the listeners the request gets from now on in `ctx`. `context.bind(ctx, req)` would,
 * but not on a request instrumentation-http already bound (the context manager patches an
 * emitter once): its listeners would run in that context, without stepmark's session.
 */
function bindListeners(req: IncomingMessage, ctx: Context): void {
  const bound = new WeakMap<Listener, Listener>();
  const emitter = req as unknown as Record<string, AddListener>;
  for (const name of ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener']) {
    const add = emitter[name] as AddListener;
    emitter[name] = function stepmarkAddListener(event, listener) {
      let inContext = bound.get(listener);
      if (inContext === undefined) {
        inContext = context.bind(ctx, listener);
        bound.set(listener, inContext);
      }
      return add.call(this, event, inContext);
    };
  }
  for (const name of ['off', 'removeListener']) {
    const remove = emitter[name] as AddListener;
    emitter[name] = function stepmarkRemoveListener(event, listener) {
      return remove.call(this, event, bound.get(listener) ?? listener);
    };
  }
}

/** Whether the request carries a body (RFC 9112: a length or a transfer coding). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** Sets the trace header just before the response headers go out (if they have not already). */
function exposeTrace(res: ServerResponse, traced: TracedRequest, name: string): void {
  const writeHead = res.writeHead;
  res.writeHead = function stepmarkWriteHead(this: ServerResponse, ...args: unknown[]) {
    if (!this.headersSent) {
      const value = traced.headerValue();
      if (value !== undefined)
        safely('responseHeader', () => this.setHeader(name, value), undefined);
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof res.writeHead;
}
