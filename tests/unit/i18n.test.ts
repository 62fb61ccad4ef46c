import { afterEach, describe, expect, test } from 'vitest';
import en from '../../web/src/i18n/messages/en.json' with { type: 'json' };
import zh from '../../web/src/i18n/messages/zh-CN.json' with { type: 'json' };
import { m } from '../../web/src/i18n/messages.ts';
import { chooseLocale } from '../../web/src/i18n/locale.ts';
import { overwriteGetLocale } from '../../web/src/i18n/paraglide/runtime.js';
import { reasonText, signalingProblemText } from '../../web/src/app/problem-text.ts';
import type { SignalingProblem } from '../../web/src/net/network.ts';
import { formatBytes, formatDaysAgo, formatDuration, formatSpeed } from '../../web/src/app/format.ts';

type Message = string | Array<{ declarations: string[]; selectors: string[]; match: Record<string, string> }>;

const messages = (file: Record<string, unknown>): Record<string, Message> =>
  Object.fromEntries(Object.entries(file).filter(([key]) => key !== '$schema')) as Record<string, Message>;

/** Every `{name}` a message uses, in all its plural forms, and the inputs it declares. */
function placeholders(message: Message): string[] {
  const texts = typeof message === 'string' ? [message] : message.flatMap((variant) => [...Object.values(variant.match), ...variant.declarations.filter((d) => d.startsWith('input '))]);
  const names = texts.flatMap((text) => [...text.matchAll(/\{(\w+)\}|^input (\w+)$/g)].flatMap((match) => match[1] ?? match[2] ?? []));
  return [...new Set(names)].sort();
}

describe('message files', () => {
  const english = messages(en);
  const chinese = messages(zh);

  test('every message exists in both languages', () => {
    expect(Object.keys(chinese).sort()).toEqual(Object.keys(english).sort());
  });

  test.each(Object.keys(messages(en)))('%s uses the same placeholders in both languages, and is translated', (key) => {
    expect(placeholders(chinese[key]!)).toEqual(placeholders(english[key]!));
    // Not English left over.
    expect(chinese[key]).not.toEqual(english[key]);
  });
});

describe('plurals follow the language', () => {
  test('English says one file, two files; Chinese has one form', () => {
    expect(m.file_count({ count: 1 }, { locale: 'en' })).toBe('1 file');
    expect(m.file_count({ count: 2 }, { locale: 'en' })).toBe('2 files');
    expect(m.file_count({ count: 0 }, { locale: 'en' })).toBe('0 files');
    expect(m.file_count({ count: 1 }, { locale: 'zh-CN' })).toBe('1 个文件');
    expect(m.file_count({ count: 2 }, { locale: 'zh-CN' })).toBe('2 个文件');
    expect(m.wrong_password_tries({ count: 1 }, { locale: 'en' })).toBe('Wrong password. 1 try left.');
    expect(m.wrong_password_tries({ count: 4 }, { locale: 'en' })).toBe('Wrong password. 4 tries left.');
    expect(m.wrong_password_tries({ count: 4 }, { locale: 'zh-CN' })).toBe('密码错误。还可以尝试 4 次。');
  });
});

describe('sizes, speeds, time left and dates follow the language', () => {
  test('bytes and speed', () => {
    expect(formatBytes(2_110_000, 'en')).toBe('2.11 MB');
    expect(formatBytes(2_110_000, 'zh-CN')).toBe('2.11 MB');
    expect(formatBytes(999, 'zh-CN')).toBe('999 B');
    expect(formatSpeed(31_900_000, 'en')).toBe('31.9 MB/s');
    expect(formatSpeed(31_900_000, 'zh-CN')).toBe('31.9 MB/s');
  });

  test('time left', () => {
    expect(formatDuration(42, 'en')).toBe('42 s left');
    expect(formatDuration(42, 'zh-CN')).toBe('剩余 42 秒');
    expect(formatDuration(600, 'zh-CN')).toBe('剩余 10 分钟');
    expect(formatDuration(3 * 3600 + 5 * 60, 'zh-CN')).toBe('剩余 3 小时 5 分钟');
  });

  test('days ago', () => {
    const now = Date.UTC(2026, 11, 6, 12);
    const day = 24 * 60 * 60 * 1000;
    expect(formatDaysAgo(now - 1000, now, 'zh-CN')).toBe('今天');
    expect(formatDaysAgo(now - day - 1000, now, 'zh-CN')).toBe('昨天');
    expect(formatDaysAgo(now - 9 * day, now, 'zh-CN')).toBe('9天前');
    expect(formatDaysAgo(now - 9 * day, now, 'en')).toBe('9 days ago');
  });
});

describe('choosing the language', () => {
  test("the person's choice wins over the browser's languages", () => {
    expect(chooseLocale('en', ['zh-CN', 'zh'])).toBe('en');
    expect(chooseLocale('zh-CN', ['en-US'])).toBe('zh-CN');
  });

  test('else the first browser language we have; any Chinese is Simplified Chinese', () => {
    expect(chooseLocale(null, ['zh-CN', 'en'])).toBe('zh-CN');
    expect(chooseLocale(null, ['zh-Hans-SG'])).toBe('zh-CN');
    expect(chooseLocale(null, ['zh-TW'])).toBe('zh-CN');
    expect(chooseLocale(null, ['de-DE', 'en-GB', 'zh'])).toBe('en');
    expect(chooseLocale('fr', ['fr-FR'])).toBe('en');
  });
});

describe('problems are worded by their code, in the reader’s language', () => {
  afterEach(() => overwriteGetLocale(() => 'en'));

  test("the signaler's error code chooses the message, whatever the server wrote", () => {
    const problem = { code: 'room-not-found', detail: 'Dieser Link ist abgelaufen.' } as const;
    expect(signalingProblemText(problem)()).toBe('This link has expired or its sender has closed the page.');
    overwriteGetLocale(() => 'zh-CN');
    expect(signalingProblemText(problem)()).toBe('此链接已过期，或者发送方已关闭页面。');
  });

  test('a code this release does not know gets a generic message', () => {
    overwriteGetLocale(() => 'zh-CN');
    expect(reasonText('disk-on-fire')()).toBe('出了点问题');
    // A newer signaler's code, as it would arrive: not one of ours.
    expect(signalingProblemText({ code: 'solar-flare' } as unknown as SignalingProblem)()).toBe('出了点问题。请重新加载页面再试一次。');
  });

  test("the peer's pause code, not its words", () => {
    expect(reasonText('storage-full')()).toBe('the receiving device is out of storage space');
    overwriteGetLocale(() => 'zh-CN');
    expect(reasonText('storage-full')()).toBe('接收设备的存储空间已用完');
  });
});
