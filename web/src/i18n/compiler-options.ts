/**
 * How Paraglide compiles the message files (web/src/i18n/messages/) into typed message functions: one place for
 * the Vite build (vite.config.ts), the type check (scripts/compile-messages.ts) and the unit tests (tests/support/compile-messages.ts).
 * The project's only plugin is loaded from node_modules (project.inlang/settings.json), never from a CDN, so
 * compiling needs no network.
 */
export const messageCompilerOptions = {
  project: './web/src/i18n/project.inlang',
  outdir: './web/src/i18n/paraglide',
  // The language is chosen by web/src/i18n/language.svelte.ts, which overrides getLocale; Paraglide's own
  // strategies (cookie, URL, its own localStorage key) are not used.
  strategy: ['baseLocale'],
  // tsc and svelte-check read the compiled JavaScript through these declarations.
  emitTsDeclarations: true,
  emitReadme: false,
} as const;
