import type { RequestHead } from '../http/RequestHead.js';
import type { GrpcMetadataLike, GrpcServerCallLike } from './GrpcLike.js';

/**
 * A gRPC call as a `trigger`, `authorize` or `onFinish` of the adapter gets it (their `req`);
 * the `RequestHead` they get beside it reads the metadata as headers, by lower-case key.
 * @example authorize: (req, head) => req.path.startsWith('/shop.Orders/') && isStaff(head)
 */
export interface GrpcCall<C = GrpcServerCallLike> {
  /** The method: `/package.Service/Method`. */
  readonly path: string;
  /** The request metadata, as received. */
  readonly metadata: GrpcMetadataLike;
  /** The server call (`getPeer()`, `getAuthContext()`, `getDeadline()` ...). */
  readonly call: C;
}

/** The metadata as headers: the first text value of a key (binary `-bin` values are skipped). */
function metadataHeaders(metadata: GrpcMetadataLike): { get(name: string): string | null } {
  return {
    get(name) {
      for (const value of metadata.get(name)) if (typeof value === 'string') return value;
      return null;
    },
  };
}

/**
 * The head stepmark decides on: the metadata as headers (so `headerTrigger('x-stepmark')`,
 * `tokenAuthorizer()` and W3C `traceparent`/`baggage` read it), the method path as the URL, and
 * POST, which every gRPC call is on the wire.
 */
export function grpcHead(path: string, metadata: GrpcMetadataLike): RequestHead {
  return { headers: metadataHeaders(metadata), url: path, method: 'POST' };
}

/** The RPC semantic-convention names of a method path: `pkg.Service/Method` and its parts. */
export function rpcNames(path: string): { spanName: string; service: string; method: string } {
  const spanName = path.startsWith('/') ? path.slice(1) : path;
  const slash = spanName.lastIndexOf('/');
  return slash < 0
    ? { spanName, service: '', method: spanName }
    : { spanName, service: spanName.slice(0, slash), method: spanName.slice(slash + 1) };
}

/** The span name and `rpc.*` attributes of stepmark's own server span for a method path. */
export function rpcSpan(path: string): { name: string; attributes: Record<string, string> } {
  const { spanName, service, method } = rpcNames(path);
  return {
    name: spanName,
    attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method },
  };
}
