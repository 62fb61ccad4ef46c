import { m } from '../i18n/messages.ts';
import { getLocale } from '../i18n/paraglide/runtime.js';
import type { Locale } from '../i18n/locale.ts';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Decimal units, as file managers on phones and Macs show sizes; the number written as the language writes it. */
export function formatBytes(bytes: number, locale: Locale = getLocale()): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  const number = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  return `${number} ${UNITS[unit]}`;
}

export const formatSpeed = (bytesPerSecond: number, locale: Locale = getLocale()): string => `${formatBytes(bytesPerSecond, locale)}/s`;

export function formatDuration(seconds: number | undefined, locale: Locale = getLocale()): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '';
  const options = { locale };
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return m.time_left_seconds({ seconds: s }, options);
  const min = Math.round(s / 60);
  if (min < 60) return m.time_left_minutes({ minutes: min }, options);
  return m.time_left_hours({ hours: Math.floor(min / 60), minutes: min % 60 }, options);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** When something was last touched, in whole days as a person says it ("yesterday", "昨天"). */
export function formatDaysAgo(then: number, now: number, locale: Locale = getLocale()): string {
  const days = Math.max(0, Math.floor((now - then) / DAY_MS));
  return new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(-days, 'day');
}

/** A date and time as the language writes it (the received-files library). */
export const formatDateTime = (time: number, locale: Locale = getLocale()): string =>
  new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(time);
