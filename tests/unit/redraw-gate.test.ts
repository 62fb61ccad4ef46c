import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { RedrawGate } from '../../web/src/app/redraw-gate.ts';

describe('RedrawGate', () => {
  let now = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 1000;
  });
  afterEach(() => vi.useRealTimers());
  const advance = (ms: number): void => {
    now += ms;
    vi.advanceTimersByTime(ms);
  };

  test('draws the first request at once, then at most once per interval, always the latest', () => {
    const gate = new RedrawGate(500, () => now);
    const drawn: number[] = [];
    gate.request(false, () => drawn.push(1));
    expect(drawn).toEqual([1]);
    advance(100);
    gate.request(false, () => drawn.push(2));
    advance(100);
    gate.request(false, () => drawn.push(3));
    expect(drawn).toEqual([1]);
    advance(299);
    expect(drawn).toEqual([1]);
    advance(1);
    expect(drawn).toEqual([1, 3]);
  });

  test('an urgent change is drawn at once, and a pending one is not drawn after it', () => {
    const gate = new RedrawGate(500, () => now);
    const drawn: string[] = [];
    gate.request(false, () => drawn.push('first'));
    advance(100);
    gate.request(false, () => drawn.push('bytes'));
    gate.request(true, () => drawn.push('done'));
    expect(drawn).toEqual(['first', 'done']);
    advance(1000);
    expect(drawn).toEqual(['first', 'done']);
  });
});
