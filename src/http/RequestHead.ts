import { headerOf, type HeaderSource } from '../propagation/w3c.js';

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
  /** Node's `IncomingMessage.rawHeaders` (name, value, name, value ...), when there. */
  readonly rawHeaders?: readonly string[] | undefined;
}

/**
 * The first value of header `name` (lower case). On Node's request it scans `rawHeaders`, which
 * the parser filled already: `req.headers` is built on first read, a cost the untriggered path
 * of an app that never reads headers would otherwise pay for it.
 */
export function headOf(head: RequestHead, name: string): string | undefined {
  const raw = head.rawHeaders;
  if (raw === undefined) return headerOf(head.headers, name);
  for (let i = 0; i < raw.length - 1; i += 2) {
    const key = raw[i] as string;
    if (sameName(key, name)) return raw[i + 1];
  }
  return undefined;
}

/** `key` equals the lower-case `name`, ignoring ASCII case, without allocating. */
function sameName(key: string, name: string): boolean {
  if (key.length !== name.length) return false;
  for (let i = 0; i < key.length; i++) {
    let c = key.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== name.charCodeAt(i)) return false;
  }
  return true;
}
