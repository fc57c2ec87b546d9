import type { HeaderSource } from '../propagation/w3c.js';

/**
 * What stepmark reads of an incoming request before deciding to trace it. Node's
 * `IncomingMessage`, Express's request, Koa's context and Fastify's request all are one as
 * they are; the Hono adapter passes the Fetch `Headers` as they are, the gRPC one its metadata.
 */
export interface RequestHead {
  /** Node-style headers by lower-case name, or a Fetch `Headers`. */
  readonly headers: HeaderSource;
  /** Path and query (`/orders?stepmark=1`), as `IncomingMessage.url`. */
  readonly url?: string | undefined;
  readonly method?: string | undefined;
}
