import { baseLocale, locales, type Locale } from './paraglide/runtime.js';

export type { Locale };
export { locales };

/** Where the person's choice of language is kept (localStorage), as `en` or `zh-CN`. */
export const LANGUAGE_KEY = 'dropline:lang';

export const isLocale = (value: unknown): value is Locale => (locales as readonly unknown[]).includes(value);

/**
 * The language to show: the person's own choice if they made one, else the first of the browser's languages
 * (`navigator.languages`, most wanted first) that we have. Any Chinese becomes Simplified Chinese, the only
 * Chinese we have, which readers of Traditional read more easily than English; any English becomes `en`.
 */
export function chooseLocale(chosen: string | null | undefined, wanted: readonly string[]): Locale {
  if (isLocale(chosen)) return chosen;
  for (const tag of wanted) {
    const language = tag.toLowerCase().split('-')[0];
    if (language === 'zh') return 'zh-CN';
    if (language === 'en') return 'en';
  }
  return baseLocale;
}
