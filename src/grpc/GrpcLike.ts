// The parts of @grpc/grpc-js the adapter uses, written structurally: the package stays an
// optional peer, never imported, not even as a type (the types come from the module passed in).

/** A grpc-js `Metadata` (request metadata, or the trailers of a status). */
export interface GrpcMetadataLike {
  /** The values of `key` (lower case; Buffers for `-bin` keys), empty when absent. */
  get(key: string): Array<string | Buffer>;
  set(key: string, value: string): void;
  clone(): GrpcMetadataLike;
}

/** A status a handler sends: its code, details and trailing metadata. */
export interface GrpcStatusLike {
  code: number;
  details?: string | undefined;
  metadata?: GrpcMetadataLike | null | undefined;
}

/** A grpc-js server call as an interceptor receives it (`ServerInterceptingCallInterface`). */
export interface GrpcServerCallLike {
  getPeer(): string;
  getHost(): string;
  getDeadline(): Date | number;
}

/** The method a call is for (grpc-js `ServerMethodDefinition`). */
export interface GrpcMethodLike {
  /** `/package.Service/Method` */
  readonly path: string;
}

/**
 * What the adapter needs of the `@grpc/grpc-js` module: pass the application's own
 * `import * as grpc from '@grpc/grpc-js'`.
 */
export interface GrpcModuleLike {
  ServerInterceptingCall: new (nextCall: never, responder?: never) => object;
  Metadata: new () => GrpcMetadataLike;
  /** Read to tell whether an instrumentation (instrumentation-grpc) wrapped `register`. */
  Server: { prototype: object };
}

/** The call type the interceptor of module `G` receives (grpc-js `ServerInterceptingCallInterface`). */
export type ServerCallOf<G extends GrpcModuleLike> = ConstructorParameters<
  G['ServerInterceptingCall']
>[0];

/** A grpc-js server interceptor of module `G`: `new grpc.Server({ interceptors: [it] })`. */
export type GrpcServerInterceptor<G extends GrpcModuleLike> = (
  method: GrpcMethodLike,
  call: ServerCallOf<G>,
) => InstanceType<G['ServerInterceptingCall']>;

/** The listener an interceptor hands to grpc-js (`ServerListener`): each event and its `next`. */
export interface GrpcListenerLike {
  onReceiveMetadata(metadata: GrpcMetadataLike, next: (metadata: GrpcMetadataLike) => void): void;
  onReceiveMessage(message: unknown, next: (message: unknown) => void): void;
  onReceiveHalfClose(next: () => void): void;
  onCancel(): void;
}

/** The responder an interceptor hands to grpc-js (`Responder`). */
export interface GrpcResponderLike {
  start(next: (listener: GrpcListenerLike) => void): void;
  sendStatus(status: GrpcStatusLike, next: (status: GrpcStatusLike) => void): void;
}
