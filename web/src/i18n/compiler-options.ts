import { fileURLToPath } from 'node:url';

/**
 * How Paraglide compiles the message files (web/src/i18n/messages/) into typed message functions: one place for
 * the Vite build (vite.config.ts), the type check (scripts/compile-messages.ts) and the unit tests (tests/support/compile-messages.ts).
 * The project's only plugin is loaded from node_modules (project.inlang/settings.json), never from a CDN, so
 * compiling needs no network.
 */
export const messageCompilerOptions = {
  // Absolute: Vite resolves relative paths from its root (web/), the scripts from the working directory.
  project: fileURLToPath(new URL('./project.inlang', import.meta.url)),
  outdir: fileURLToPath(new URL('./paraglide', import.meta.url)),
  // The language is chosen by web/src/i18n/language.svelte.ts, which overrides getLocale; Paraglide's own
  // strategies (cookie, URL, its own localStorage key) are not used.
  strategy: ['baseLocale'],
  // tsc and svelte-check read the compiled JavaScript through these declarations.
  emitTsDeclarations: true,
  emitReadme: false,
} as const;
