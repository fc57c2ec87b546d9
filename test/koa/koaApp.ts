import { createServer } from 'node:http';
import type KoaType from 'koa';
import { stepmark } from '../../src/koa/index.js';
import { decide, type StartApp } from '../support/adapterSuite.js';
import { listen } from '../support/listen.js';

/** Reads a small request body (Koa has no body parser of its own). */
async function body(req: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

/** The test app: Koa with the adapter first and a small router after it. */
export function koaApp(Koa: typeof KoaType): StartApp {
  return (options) => {
    const app = new Koa();
    app.use(stepmark(options));
    app.use(async (ctx) => {
      const match = /^\/orders\/([^/?]+)/.exec(ctx.path);
      if (ctx.method === 'GET' && match) {
        ctx._matchedRoute = '/orders/:id'; // what @koa/router sets
        ctx.body = decide(match[1] ?? '');
      } else if (ctx.method === 'POST' && ctx.path === '/orders') {
        ctx.body = decide((JSON.parse(await body(ctx.req)) as { id: string }).id);
      }
    });
    return listen(createServer(app.callback()));
  };
}
