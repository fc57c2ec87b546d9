import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:browser`: the tests that drive real pages in headless Chromium (test/browser/):
// the Jaeger UI, the viewer, Mermaid, the Perfetto UI. They set STEPMARK_BROWSER_TESTS, without
// which `npm test` skips them, and skip here too when Chromium, the Jaeger binary or a built UI
// is missing, unless STEPMARK_REQUIRE_BROWSER=1 (CI). Screenshots go to artifacts/<suite>/.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/browser/**/*.browser.test.ts'],
    env: { STEPMARK_BROWSER_TESTS: '1' },
    // One browser and one Jaeger at a time on a 2-core machine.
    fileParallelism: false,
  },
});
