/**
 * The colour theme: the person's choice (follow the system, or always light or dark), kept in localStorage, and
 * the scheme it resolves to, set as `data-theme` on <html> for global.css to pick its colours by.
 * public/theme-boot.js does the same resolution before first paint (an inline script would break the CSP);
 * this module keeps it right afterwards: on a new choice and when the system's scheme changes.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';
export type Scheme = 'light' | 'dark';

export const THEME_KEY = 'dropline:theme';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

/** The browser bar's colour for each scheme: the accent on light, the page itself on dark. */
export const THEME_COLORS: Record<Scheme, string> = { light: '#4f46e5', dark: '#0b1020' };

const DARK_QUERY = '(prefers-color-scheme: dark)';

/** The stored choice; anything else (nothing stored, storage refused, an old value) means following the system. */
export function readChoice(storage: Pick<Storage, 'getItem'> | undefined): ThemeChoice {
  let stored: string | null = null;
  try {
    stored = storage?.getItem(THEME_KEY) ?? null;
  } catch {
    // Storage can throw when the browser blocks it for this site; the system's scheme still applies.
  }
  return THEME_CHOICES.includes(stored as ThemeChoice) ? (stored as ThemeChoice) : 'system';
}

export const resolveScheme = (choice: ThemeChoice, systemDark: boolean): Scheme => (choice === 'system' ? (systemDark ? 'dark' : 'light') : choice);

/** The choice after `choice`, for a switch that cycles through them. */
export const nextChoice = (choice: ThemeChoice): ThemeChoice => THEME_CHOICES[(THEME_CHOICES.indexOf(choice) + 1) % THEME_CHOICES.length]!;

/**
 * Sets the scheme on <html>, and the theme-color metas: each keeps its own scheme's colour while the system
 * decides, and both take the chosen one when the person has chosen, since their media queries no longer say.
 */
export function applyScheme(choice: ThemeChoice, systemDark: boolean, doc: Document = document): void {
  doc.documentElement.dataset.theme = resolveScheme(choice, systemDark);
  for (const meta of doc.querySelectorAll<HTMLMetaElement>('meta[name="theme-color"]')) {
    const own: Scheme = meta.media.includes('dark') ? 'dark' : 'light';
    meta.content = THEME_COLORS[choice === 'system' ? own : choice];
  }
}

/** Whether the system asks for dark, and a way to hear when it changes. */
export const systemDarkQuery = (): MediaQueryList => matchMedia(DARK_QUERY);
