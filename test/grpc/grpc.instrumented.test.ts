import type * as Grpc from '@grpc/grpc-js';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { instrumentedRequire } from '../support/instrumented.js';
import { grpcSuite } from './grpcSuite.js';

const instrumentations = [new GrpcInstrumentation(), new HttpInstrumentation()];
const require = instrumentedRequire(instrumentations);
const grpc = require('@grpc/grpc-js') as typeof Grpc;

grpcSuite('stepmark-otel/grpc with instrumentation-grpc', grpc, { instrumentations, wrap: true });
