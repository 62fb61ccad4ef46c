import { applyScheme, nextChoice, readChoice, systemDarkQuery, THEME_KEY, type ThemeChoice } from './theme.ts';

/**
 * The header's theme switch: the current choice, and the next one on a click, remembered across visits.
 * While the choice is "system", a change of the system's scheme (a phone going dark at night) is followed live.
 */
export class ThemeSwitch {
  choice = $state<ThemeChoice>(readChoice(globalThis.localStorage));
  readonly #query = systemDarkQuery();
  readonly #onSystemChange = (): void => applyScheme(this.choice, this.#query.matches);

  constructor() {
    applyScheme(this.choice, this.#query.matches);
    this.#query.addEventListener('change', this.#onSystemChange);
  }

  cycle(): void {
    this.choice = nextChoice(this.choice);
    try {
      localStorage.setItem(THEME_KEY, this.choice);
    } catch {
      // Storage refused: the choice holds for this page only.
    }
    applyScheme(this.choice, this.#query.matches);
  }

  stop(): void {
    this.#query.removeEventListener('change', this.#onSystemChange);
  }
}
