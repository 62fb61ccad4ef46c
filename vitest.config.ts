import { defineConfig } from 'vitest/config';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { messageCompilerOptions } from './web/src/i18n/compiler-options.ts';

export default defineConfig({
  // Unit tests import app code that imports the compiled messages: compiled before they run.
  plugins: [paraglideVitePlugin({ ...messageCompilerOptions, strategy: [...messageCompilerOptions.strategy] })],
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/build-app.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Browser tests share two cores with the browsers they drive: one file at a time.
    fileParallelism: false,
  },
});
