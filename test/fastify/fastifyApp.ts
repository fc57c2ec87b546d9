import type Fastify from 'fastify';
import type { FastifyPluginCallback } from 'fastify';
import { stepmarkPlugin } from '../../src/fastify/index.js';
import { decide, type StartApp } from '../support/adapterSuite.js';
import { listen } from '../support/listen.js';

/** The test app: Fastify with `before` plugins (e.g. @fastify/otel), then the adapter, then routes. */
export function fastifyApp(
  fastify: typeof Fastify,
  before: () => FastifyPluginCallback | undefined = () => undefined,
): StartApp {
  return async (options) => {
    const app = fastify();
    const first = before();
    if (first !== undefined) await app.register(first);
    await app.register(stepmarkPlugin(options));
    app.get<{ Params: { id: string } }>('/orders/:id', async (request) =>
      decide(request.params.id),
    );
    app.post<{ Body: { id: string } }>('/orders', async (request) => decide(request.body.id));
    await app.ready();
    return listen(app.server);
  };
}
