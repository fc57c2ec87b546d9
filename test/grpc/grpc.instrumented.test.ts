import { createRequire } from 'node:module';
import type * as Grpc from '@grpc/grpc-js';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { grpcSuite } from './grpcSuite.js';

// The instrumentations patch modules as they are required: register first, then require.
const instrumentations = [new GrpcInstrumentation(), new HttpInstrumentation()];
registerInstrumentations({ instrumentations });
const require = createRequire(import.meta.url);
require('node:http');
const grpc = require('@grpc/grpc-js') as typeof Grpc;

grpcSuite('stepmark-otel/grpc with instrumentation-grpc', grpc, { instrumentations, wrap: true });
