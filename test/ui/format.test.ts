import { describe, expect, it } from 'vitest';
import { progressText } from '../../src/ui/client/format.js';

describe('a running node\'s progress as its box shows it', () => {
  it('shows a percent or a message a node gives, and what an http node reports while it waits for its answer', () => {
    expect(progressText(42.4)).toBe('42%');
    expect(progressText({ percent: 60 })).toBe('60%');
    expect(progressText({ message: 'copying' })).toBe('copying');
    // The http node's reports: time so far, and bytes once the answer has begun.
    expect(progressText({ elapsedMs: 500, receivedBytes: 0 })).toBe('500 ms');
    expect(progressText({ elapsedMs: 3_200, receivedBytes: 3_000 })).toBe('2.9 KB · 3.2 s');
    expect(progressText({ elapsedMs: 61_000, receivedBytes: 5 * 1024 * 1024 })).toBe('5.0 MB · 61.0 s');
    expect(progressText({ other: true })).toBe('');
  });
});
