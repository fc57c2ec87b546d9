// stepmark-otel/nestjs: stepmark as a NestJS middleware (Express or Fastify platform).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stepmark, type ExpressRequestLike } from '../express/index.js';
import type { StepmarkHttpOptions } from '../http/StepmarkHttpOptions.js';

/** What Nest's `MiddlewareConsumer.apply` takes: a class with `use(req, res, next)`. */
export interface StepmarkNestMiddleware {
  use(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void;
}

/**
 * A NestJS middleware class with these options, for `consumer.apply(...)`. It runs before
 * guards, interceptors and the handler, so all of them record. With
 * `@opentelemetry/instrumentation-http` (and `-express`/`-nestjs-core`) it records on their
 * server span; without them it starts one, named by route. On the Fastify platform Nest hands
 * it Node's request and response, which it reads the same way.
 * @example consumer.apply(stepmarkMiddleware({ trigger: headerTrigger('X-Stepmark'), authorize: tokenAuthorizer() })).forRoutes('*')
 */
export function stepmarkMiddleware<R extends ExpressRequestLike = ExpressRequestLike>(
  options: StepmarkHttpOptions<R> = {},
): new () => StepmarkNestMiddleware {
  const handle = stepmark(options);
  return class StepmarkMiddleware implements StepmarkNestMiddleware {
    use(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void {
      handle(req as R, res, next);
    }
  };
}

export type { StepmarkHttpOptions };
