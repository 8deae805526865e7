import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debounce, throttle } from '../../src/ui/view/throttle';

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

describe('throttle (redraws at most every 250 ms)', () => {
  it('runs the first request at once, merges the rest into one trailing run', () => {
    const run = vi.fn();
    const t = throttle(run, 250);
    t.schedule();
    expect(run).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(10);
      t.schedule();
    }
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(250);
    expect(run).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(2);
  });
  it('keeps runs at least 250 ms apart under a steady stream (<= 4 per second), and keeps up', () => {
    const times: number[] = [];
    const t = throttle(() => times.push(Date.now()), 250);
    for (let ms = 0; ms < 2000; ms += 5) {
      t.schedule();
      vi.advanceTimersByTime(5);
    }
    const gaps = times.slice(1).map((x, i) => x - times[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250);
    expect(times.length).toBeGreaterThanOrEqual(8);
  });
  it('flush runs a pending request now; force runs even with nothing pending; cancel drops it', () => {
    const run = vi.fn();
    const t = throttle(run, 250);
    t.schedule();
    t.schedule();
    t.flush();
    expect(run).toHaveBeenCalledTimes(2);
    t.flush();
    expect(run).toHaveBeenCalledTimes(2);
    t.flush(true);
    expect(run).toHaveBeenCalledTimes(3);
    t.schedule();
    t.cancel();
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(3);
  });
});

describe('debounce (slider drags)', () => {
  it('sends only the last value, 150 ms after the last move', () => {
    const send = vi.fn();
    const d = debounce(send, 150);
    d.call(5);
    vi.advanceTimersByTime(100);
    d.call(6);
    vi.advanceTimersByTime(100);
    d.call(7);
    expect(send).not.toHaveBeenCalled();
    vi.advanceTimersByTime(150);
    expect(send).toHaveBeenCalledExactlyOnceWith(7);
  });
  it('flush sends at once (keyboard step, pointer released) and only once', () => {
    const send = vi.fn();
    const d = debounce(send, 150);
    d.call(9);
    d.flush();
    expect(send).toHaveBeenCalledExactlyOnceWith(9);
    vi.advanceTimersByTime(500);
    d.flush();
    expect(send).toHaveBeenCalledTimes(1);
  });
});
