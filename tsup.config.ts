import { defineConfig } from 'tsup';

// One entry per public subpath; the exports map in package.json mirrors this list.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    export: 'src/export/index.ts',
    jaeger: 'src/jaeger/index.ts',
    http: 'src/http/index.ts',
    express: 'src/express/index.ts',
    fastify: 'src/fastify/index.ts',
    koa: 'src/koa/index.ts',
    hono: 'src/hono/index.ts',
    nestjs: 'src/nestjs/index.ts',
    grpc: 'src/grpc/index.ts',
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // Shared code goes to chunks, so that each subpath uses the same classes as the main entry.
  splitting: true,
});
