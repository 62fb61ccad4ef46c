import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Unit tests import app code that imports the compiled messages: compiled first.
    globalSetup: ['tests/support/compile-messages.ts', 'tests/support/build-app.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Browser tests share two cores with the browsers they drive: one file at a time.
    fileParallelism: false,
  },
});
