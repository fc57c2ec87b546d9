import { createRequire } from 'node:module';
import type * as Grpc from '@grpc/grpc-js';
import { grpcSuite } from './grpcSuite.js';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js') as typeof Grpc;

// The interceptor alone carries the context to handlers; stepmarkService changes nothing here.
grpcSuite('stepmark-otel/grpc', grpc);
grpcSuite('stepmark-otel/grpc with stepmarkService', grpc, { wrap: true });
