// Compiles the message files before `npm run check`, which type checks code that imports the compiled messages.
import { compile } from '@inlang/paraglide-js';
import { messageCompilerOptions } from '../web/src/i18n/compiler-options.ts';

await compile({ ...messageCompilerOptions, strategy: [...messageCompilerOptions.strategy] });
