import { overwriteGetLocale } from './paraglide/runtime.js';
import { chooseLocale, LANGUAGE_KEY, type Locale } from './locale.ts';

function keptChoice(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_KEY);
  } catch {
    return null; // Storage refused (a private window in some browsers): the browser's languages decide.
  }
}

/**
 * The page's language, as reactive state: every message function reads it through Paraglide's getLocale, so
 * whatever a view or a view-model's text shows is drawn again when it changes, without a reload.
 */
class Language {
  current = $state<Locale>(chooseLocale(keptChoice(), navigator.languages ?? [navigator.language]));

  /** Switches the page to `locale` and remembers the choice for the next visit. */
  set(locale: Locale): void {
    this.current = locale;
    document.documentElement.lang = locale;
    try {
      localStorage.setItem(LANGUAGE_KEY, locale);
    } catch {
      // Not kept: this page still switches.
    }
  }
}

export const language = new Language();
overwriteGetLocale(() => language.current);
document.documentElement.lang = language.current;
