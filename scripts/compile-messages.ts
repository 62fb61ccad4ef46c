// Compiles the message files (web/src/i18n/messages/) into web/src/i18n/paraglide/: before `npm run check`, which
// type checks code that imports them, and before the tests (tests/support/compile-messages.ts).
import { compile } from '@inlang/paraglide-js';
import { messageCompilerOptions } from '../web/src/i18n/compiler-options.ts';

await compile({ ...messageCompilerOptions, strategy: [...messageCompilerOptions.strategy] });
// The inlang SDK leaves handles open after compiling (its SQLite store): nothing more is to be done here.
process.exit(0);
