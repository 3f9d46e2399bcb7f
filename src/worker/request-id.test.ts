import { describe, expect, it } from 'vitest';
import { generateRequestId, requestIdFor } from './request-id.ts';

describe('requestIdFor', () => {
  it('keeps a sane incoming id', () => {
    expect(requestIdFor('abc-123_DEF.4:5')).toBe('abc-123_DEF.4:5');
  });

  it('replaces an id with spaces, control characters, or over 128 characters', () => {
    for (const bad of ['has space', 'new\nline', 'x'.repeat(129), '', ['a', 'b']]) {
      const id = requestIdFor(bad);
      expect(id).not.toEqual(bad);
      expect(id).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    }
  });

  it('generates distinct ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => generateRequestId()));
    expect(ids.size).toBe(1000);
  });
});
