import 'reflect-metadata';
import type * as NestCommon from '@nestjs/common';
import type * as NestCore from '@nestjs/core';
import type { Server } from 'node:http';
import { stepmarkMiddleware } from '../../src/nestjs/index.js';
import { decide, type StartApp } from '../support/adapterSuite.js';

/**
 * The test app: a Nest module whose middleware is the adapter and a controller with the two
 * routes. Decorators are applied as functions (no decorator syntax in the test build).
 */
export function nestApp(common: typeof NestCommon, core: typeof NestCore): StartApp {
  return async (options) => {
    class OrdersController {
      get(id: string): string {
        return decide(id);
      }
      create(body: { id: string }): string {
        return decide(body.id);
      }
    }
    const proto = OrdersController.prototype;
    const method = (name: 'get' | 'create') =>
      Object.getOwnPropertyDescriptor(proto, name) as PropertyDescriptor;
    common.Param('id')(proto, 'get', 0);
    common.Get(':id')(proto, 'get', method('get'));
    common.Body()(proto, 'create', 0);
    common.Post()(proto, 'create', method('create'));
    common.Controller('orders')(OrdersController);

    class AppModule {
      configure(consumer: NestCommon.MiddlewareConsumer): void {
        consumer.apply(stepmarkMiddleware(options)).forRoutes('*path');
      }
    }
    common.Module({ controllers: [OrdersController] })(AppModule);

    const app = await core.NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    const server = app.getHttpServer() as Server;
    return {
      url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
      close: () => app.close(),
    };
  };
}
