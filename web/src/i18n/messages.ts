/** The message functions (compiled from messages/*.json), each in the page's current language. */
export { m } from './paraglide/messages.js';

/**
 * A text a view-model hands to a view: a function rather than a string, so the view calls it while drawing and
 * shows it in whatever language is current, also after the person switches.
 */
export type Text = () => string;
