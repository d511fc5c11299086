/**
 * ServiceNow HTML fields and journal entries under random and hostile input: never a throw,
 * always a string, the words of the text kept, and no input shape slower than linear (the old
 * converter took 2.2 s for `<p` × 40,000 and 3.7 s for 80 KB of `<`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { htmlToMarkdown, journalToMarkdown, fieldToMarkdown, looksLikeHtml } from '../../../src/connectors/servicenow/markdown.js';
import { HTML_TOKENS, JOURNAL_TOKENS, repeatTo } from '../convert-cases.js';
import { MS_PER_100KB, MS_PER_MB, expectFast, repetition, soup, words } from '../convert-arbitraries.js';

const INLINE = ['b', 'strong', 'i', 'em', 'span', 'u', 'font', 'a href="https://x.test"', 'code'];

/** HTML of paragraphs, list items or cells whose words are wrapped in random inline elements. */
const wrappedWords = fc.tuple(words, fc.array(fc.constantFrom('', ...INLINE), { minLength: 12, maxLength: 12 }), fc.constantFrom('p', 'li', 'td', 'h2', 'div', 'blockquote'))
  .map(([ws, tags, block]) => ({
    words: ws,
    html: `<${block}>${ws.map((w, i) => (tags[i] ? `<${tags[i]}>${w}</${tags[i]?.split(' ')[0]}>` : w)).join(' ')}</${block}>`,
  }));

describe('ServiceNow conversions: properties', () => {
  it('any text: a string (null only for a blank field), never a throw', () => {
    fc.assert(
      fc.property(soup([...JOURNAL_TOKENS, ...HTML_TOKENS]), (s) => {
        const field = fieldToMarkdown(s);
        expect(field === null ? s.trim() : typeof field).toBe(field === null ? '' : 'string');
        expect(typeof journalToMarkdown(s)).toBe('string');
        expect(typeof htmlToMarkdown(s)).toBe('string');
        expect(typeof htmlToMarkdown(s, false)).toBe('string');
      }),
      { numRuns: 200 },
    );
  });

  it('text that is not HTML stays as it is', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        fc.pre(!looksLikeHtml(s) && s.trim() !== '');
        expect(fieldToMarkdown(s)).toBe(s);
      }),
    );
  });

  it('a journal entry without [code] spans is its own text, trimmed', () => {
    fc.assert(
      fc.property(soup(JOURNAL_TOKENS.filter((t) => !/code\]/i.test(t))), (s) => {
        fc.pre(!/\[\/?code\]/i.test(s));
        expect(journalToMarkdown(s)).toBe(s.trim());
      }),
    );
  });

  it('every word survives, through turndown and through the streaming converter', () => {
    fc.assert(
      fc.property(fc.array(wrappedWords, { minLength: 1, maxLength: 6 }), (blocks) => {
        const html = blocks.map((b) => b.html).join('\n');
        for (const md of [htmlToMarkdown(html), htmlToMarkdown(html, false), journalToMarkdown(`[code]${html}[/code]`)]) {
          for (const w of blocks.flatMap((b) => b.words)) expect(md).toContain(w);
          expect(md).not.toMatch(/<\/?(?:p|b|i|em|strong|span|li|td|div)\b/);
        }
      }),
      { numRuns: 200 },
    );
  });

  it.each(HTML_TOKENS)('HTML field of %j × 100 KB converts in linear time', (token) => {
    expectFast(fieldToMarkdown, repeatTo(token, 100_000), MS_PER_100KB);
  });

  it('HTML fields and journal entries of any repeated token pair × 100 KB convert in linear time', () => {
    fc.assert(
      fc.property(repetition(JOURNAL_TOKENS, 100_000), (input) => {
        expectFast(fieldToMarkdown, input, MS_PER_100KB);
        expectFast(journalToMarkdown, input, MS_PER_100KB);
      }),
      { numRuns: 30 },
    );
  });

  it.each(['<p', '<', '[code]<a', '&nbsp;', 'x<br>', '<table><tr><td>', '<li>', '<b> '])(
    'a 1 MB hostile field of %j converts well under a second',
    (token) => {
      const input = repeatTo(token, 1_000_000);
      expectFast(fieldToMarkdown, input, MS_PER_MB);
      expectFast(journalToMarkdown, `[code]${input}[/code]`, MS_PER_MB);
    },
  );
});
