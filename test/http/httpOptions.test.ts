// Issue 10: the HTTP middleware and every framework adapter check their options, `tracerOptions`
// included, when they are created; a callback given as a string says what to write instead.
import * as grpc from '@grpc/grpc-js';
import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { resetWarnings } from '../../src/core/diagnostics.js';
import { stepmark as express } from '../../src/express/index.js';
import { stepmarkPlugin } from '../../src/fastify/index.js';
import { stepmarkInterceptor } from '../../src/grpc/index.js';
import { stepmark as hono } from '../../src/hono/index.js';
import {
  allTriggers,
  anyTrigger,
  headerTrigger,
  middleware,
  queryTrigger,
  RequestGate,
  tokenAuthorizer,
  withStepmark,
} from '../../src/http/index.js';
import { stepmark as koa } from '../../src/koa/index.js';
import { stepmarkMiddleware } from '../../src/nestjs/index.js';
import { captureDiag } from '../support/diagCapture.js';

type Row = [label: string, options: unknown, error: typeof TypeError, message: string];

const wrong: Row[] = [
  [
    "trigger: 'X-Stepmark'",
    { trigger: 'X-Stepmark' },
    TypeError,
    "trigger must be a function (req, head) => boolean, got 'X-Stepmark': use headerTrigger('X-Stepmark')",
  ],
  [
    "authorize: 'token'",
    { authorize: 'token' },
    TypeError,
    'authorize must be a function (req, head) => boolean, got a string: use tokenAuthorizer()',
  ],
  [
    "onFinish: 'log'",
    { onFinish: 'log' },
    TypeError,
    "onFinish must be a function (trace, req) => void, got 'log': use (trace) => console.log(JSON.stringify(trace))",
  ],
  [
    "onError: 'log'",
    { onError: 'log' },
    TypeError,
    "onError must be a function (error, req) => void, got 'log'",
  ],
  [
    "responseHeader: 'X Trace'",
    { responseHeader: 'X Trace' },
    TypeError,
    "responseHeader must be an HTTP header name such as 'X-Stepmark-Trace', got 'X Trace'",
  ],
  [
    'responseHeader: true',
    { responseHeader: true },
    TypeError,
    "responseHeader must be an HTTP header name such as 'X-Stepmark-Trace', got true",
  ],
  [
    "responseHeaderWithoutAuthorization: 'yes'",
    { responseHeaderWithoutAuthorization: 'yes' },
    TypeError,
    "responseHeaderWithoutAuthorization must be true or false, got 'yes'",
  ],
  [
    'maxHeaderBytes: 0',
    { maxHeaderBytes: 0 },
    RangeError,
    'maxHeaderBytes must be a positive integer, got 0',
  ],
  [
    "maxHeaderBytes: '8k'",
    { maxHeaderBytes: '8k' },
    TypeError,
    "maxHeaderBytes must be a positive integer, got '8k'",
  ],
  [
    'rateLimit: true',
    { rateLimit: true },
    TypeError,
    'rateLimit must be false or { perSecond, burst? }, got true: use false for no limit',
  ],
  [
    'rateLimit.perSecond: -1',
    { rateLimit: { perSecond: -1 } },
    RangeError,
    'rateLimit.perSecond must be a number >= 0 (0 = no refill), got -1',
  ],
  [
    "rateLimit.perSecond: '10'",
    { rateLimit: { perSecond: '10' } },
    TypeError,
    "rateLimit.perSecond must be a number >= 0 (0 = no refill), got '10'",
  ],
  [
    'rateLimit.burst: 0',
    { rateLimit: { perSecond: 1, burst: 0 } },
    RangeError,
    'rateLimit.burst must be a positive integer, got 0',
  ],
  [
    "honorBaggage: 'false'",
    { honorBaggage: 'false' },
    TypeError,
    "honorBaggage must be true or false, got 'false'",
  ],
  [
    "forwardBaggage: 'none'",
    { forwardBaggage: 'none' },
    TypeError,
    "forwardBaggage must be 'all' or 'stepmark-only', got 'none'",
  ],
  ["flagKey: ''", { flagKey: '' }, RangeError, 'flagKey must not be empty'],
  [
    'tracerOptions.maxEvents: -1',
    { tracerOptions: { maxEvents: -1 } },
    RangeError,
    'tracerOptions.maxEvents must be a non-negative integer (0 = no limit), got -1',
  ],
  [
    "tracerOptions.entityFilter: 'order_'",
    { tracerOptions: { entityFilter: 'order_' } },
    TypeError,
    "tracerOptions.entityFilter must be a function (entityId) => boolean, got 'order_'",
  ],
  [
    'tracerOptions.maxStringLength: 4',
    { tracerOptions: { maxStringLength: 4 } },
    RangeError,
    'tracerOptions.maxStringLength must be an integer of at least 16, got 4',
  ],
  [
    "options: 'X-Stepmark'",
    'X-Stepmark',
    TypeError,
    "the options of the HTTP middleware must be an object, got 'X-Stepmark'",
  ],
];

/** Every factory that takes these options, as a user calls it. */
const factories: Array<[name: string, create: (options: never) => unknown]> = [
  ['middleware', (o) => middleware(o)],
  ['withStepmark', (o) => withStepmark(() => undefined, o)],
  ['new RequestGate', (o) => new RequestGate(o)],
  ['express stepmark', (o) => express(o)],
  ['fastify stepmarkPlugin', (o) => stepmarkPlugin(o)],
  ['koa stepmark', (o) => koa(o)],
  ['hono stepmark', (o) => hono(o)],
  ['nestjs stepmarkMiddleware', (o) => stepmarkMiddleware(o)],
  ['grpc stepmarkInterceptor', (o) => stepmarkInterceptor(grpc, o)],
];

const cases = factories.flatMap(([factory, create]) =>
  wrong.map(
    ([label, options, error, message]) =>
      [factory, label, create, options, error, message] as const,
  ),
);

beforeEach(() => resetWarnings());
afterEach(() => {
  diag.disable();
  resetWarnings();
});

describe('HTTP options', () => {
  it.each(cases)(
    '%s refuses %s at creation',
    (_factory, _label, create, options, error, message) => {
      expect(() => create(options as never)).toThrow(error);
      expect(() => create(options as never)).toThrow(`stepmark-otel: ${message}`);
    },
  );

  it.each(factories)('%s takes right options, and undefined for each default', (_name, create) => {
    expect(() =>
      create({
        trigger: anyTrigger(headerTrigger('X-Stepmark'), queryTrigger('stepmark')),
        authorize: () => true,
        responseHeader: 'X-Stepmark-Trace',
        maxHeaderBytes: 4_096,
        rateLimit: { perSecond: 0, burst: 2 },
        honorBaggage: false,
        forwardBaggage: 'stepmark-only',
        flagKey: false,
        tracerOptions: { maxEvents: 0, maxEntities: 0 },
        onFinish: undefined,
        onError: undefined,
      } as never),
    ).not.toThrow();
    expect(() => create({} as never)).not.toThrow();
  });

  it('warns once about an unknown option that looks like a typo (responseHeaders)', () => {
    const captured = captureDiag();
    for (let i = 0; i < 2; i++) middleware({ responseHeaders: 'X-Stepmark-Trace' } as never);
    expect(captured.messages).toEqual([
      "stepmark-otel: unknown option 'responseHeaders' in the options of the HTTP middleware is ignored: did you mean 'responseHeader'?",
    ]);
    expect(stepmark.stats().misconfigurations).toEqual(['likely-typo:responseHeader']);
  });

  it('stepmarkInterceptor refuses options given where the grpc module goes', () => {
    expect(() => stepmarkInterceptor({ responseHeader: 'x-trace' } as never)).toThrow(
      "stepmark-otel: the first argument of stepmarkInterceptor must be the @grpc/grpc-js module, got an object: use stepmarkInterceptor(grpc, options) with import * as grpc from '@grpc/grpc-js'",
    );
  });
});

describe('triggers and tokenAuthorizer', () => {
  const rows: Array<[label: string, create: () => unknown, message: string]> = [
    [
      'headerTrigger()',
      () => headerTrigger(undefined as never),
      "headerTrigger(name) must be a header name such as 'X-Stepmark', got undefined",
    ],
    [
      "headerTrigger('X Stepmark')",
      () => headerTrigger('X Stepmark'),
      "headerTrigger(name) must be a header name such as 'X-Stepmark', got 'X Stepmark'",
    ],
    [
      "queryTrigger('')",
      () => queryTrigger(''),
      "queryTrigger(name) must be a query parameter name such as 'stepmark', got ''",
    ],
    [
      "anyTrigger('X-Stepmark')",
      () => anyTrigger('X-Stepmark' as never),
      "anyTrigger argument 1 must be a trigger (a function), got 'X-Stepmark': use headerTrigger('X-Stepmark') or queryTrigger('X-Stepmark')",
    ],
    [
      'allTriggers(t, 5)',
      () => allTriggers(headerTrigger('a'), 5 as never),
      'allTriggers argument 2 must be a trigger (a function), got 5',
    ],
    [
      "tokenAuthorizer('s3cret')",
      () => tokenAuthorizer('s3cret' as never),
      'the options of tokenAuthorizer must be { header?, env? }, got a string: use tokenAuthorizer({ header: ... })',
    ],
    [
      "tokenAuthorizer({ header: 'X Token' })",
      () => tokenAuthorizer({ header: 'X Token' }),
      "tokenAuthorizer header must be a header name such as 'X-Stepmark-Token', got 'X Token'",
    ],
    [
      'tokenAuthorizer({ env: 5 })',
      () => tokenAuthorizer({ env: 5 as never }),
      "tokenAuthorizer env must be an environment variable name such as 'STEPMARK_TOKEN', got 5",
    ],
  ];

  it.each(rows)('%s is a TypeError that says what to write', (_label, create, message) => {
    expect(create).toThrow(TypeError);
    expect(create).toThrow(`stepmark-otel: ${message}`);
  });

  it('never repeats a string given where a secret may have been meant', () => {
    const secret = 'hunter2-secret-value';
    const messages = [
      () => tokenAuthorizer(secret as never),
      () => middleware({ authorize: secret as never }),
    ].map((create) => {
      try {
        create();
      } catch (error) {
        return (error as Error).message;
      }
      return 'did not throw';
    });
    for (const text of messages) {
      expect(text).toContain('got a string');
      expect(text).not.toContain(secret);
    }
  });
});
