import { createAdaptorServer } from '@hono/node-server';
import { Hono, type MiddlewareHandler } from 'hono';
import { stepmark } from '../../src/hono/index.js';
import type { StepmarkHttpOptions } from '../../src/http/index.js';
import { decide, type StartApp } from '../support/adapterSuite.js';
import { listen } from '../support/listen.js';

/** The test app, without a server: `before` middleware (e.g. @hono/otel), the adapter, routes. */
export function honoRoutes(
  options: StepmarkHttpOptions<unknown>,
  before?: MiddlewareHandler,
): Hono {
  const app = new Hono();
  if (before !== undefined) app.use(before);
  app.use(stepmark(options));
  app.get('/orders/:id', (c) => c.text(decide(c.req.param('id'))));
  app.post('/orders', async (c) => c.text(decide((await c.req.json<{ id: string }>()).id)));
  return app;
}

/** The test app on a real socket, served by @hono/node-server. */
export function honoApp(before?: () => MiddlewareHandler): StartApp {
  return (options) =>
    listen(createAdaptorServer({ fetch: honoRoutes(options, before?.()).fetch }) as never);
}
