import { describe, expect, test } from 'vitest';
import { contentHash, prepareBatch } from '../../src/store/content.js';
import { sampleItem } from '../support/store.js';

describe('content hash', () => {
  test('ignores key order and raw, sees every normalized field and comment', () => {
    const item = sampleItem(1);
    const reordered = Object.fromEntries(Object.entries(item).reverse()) as typeof item;
    expect(contentHash(reordered)).toBe(contentHash(item));
    expect(contentHash({ ...item, raw: { other: true } })).toBe(contentHash(item));
    expect(contentHash({ ...item, labels: ['b', 'a'] })).not.toBe(contentHash(item));
    const comment = { external_id: 'c', author: null, body: 'x', created_at: null, internal: false };
    expect(contentHash({ ...item, comments: [comment] }))
      .not.toBe(contentHash({ ...item, comments: [{ ...comment, internal: true }] }));
  });
});

describe('prepareBatch', () => {
  test('an item is checked field by field and fails alone', () => {
    const bad = [
      sampleItem(1, { external_id: '' }),
      sampleItem(2, { status_category: 'open' as never }),
      sampleItem(3, { labels: [1] as never }),
      sampleItem(4, { closed_at: 'soon' }),
    ];
    const batch = prepareBatch([...bad, sampleItem(5)], []);
    expect(batch.rows.map((r) => r.external_id)).toEqual(['10005']);
    expect(batch.failures.map((f) => f.error)).toEqual([
      'external_id is missing',
      'status_category "open" is not todo|in_progress|done',
      'labels is not a list of strings',
      'closed_at is not an ISO-8601 time',
    ]);
  });

  test('times are handed to SQL in one spelling', () => {
    const [row] = prepareBatch([sampleItem(1, { created_at: '2024-03-01T10:00:00+02:00' })], []).rows;
    expect(row?.created_at).toBe('2024-03-01T08:00:00.000Z');
  });
});
