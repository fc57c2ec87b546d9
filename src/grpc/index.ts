// stepmark-otel/grpc: stepmark as a @grpc/grpc-js server interceptor. Hand-written: named exports only.
export { stepmarkInterceptor } from './stepmarkInterceptor.js';
export { stepmarkService } from './stepmarkService.js';
export type { GrpcCall } from './GrpcCall.js';
export type {
  GrpcMetadataLike,
  GrpcMethodLike,
  GrpcModuleLike,
  GrpcServerCallLike,
  GrpcServerInterceptor,
  GrpcStatusLike,
  ServerCallOf,
} from './GrpcLike.js';
export type { StepmarkHttpOptions } from '../http/StepmarkHttpOptions.js';
