/**
 * Jira wiki markup and ADF under random and hostile input: never a throw, always a string, the
 * words of the text kept, and no input shape slower than linear (the old ADF plainText took
 * 3.3 s for a code block of 80,000 newlines; an unclosed `{panel:x}` × 10,000 overflowed the stack).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adfToMarkdown } from '../../../src/connectors/jira/adf.js';
import { plainText } from '../../../src/connectors/jira/adf-inline.js';
import { wikiToMarkdown } from '../../../src/connectors/jira/wiki.js';
import { ADF_HOSTILE, WIKI_TOKENS, cpuMs, repeatTo } from '../convert-cases.js';
import { MS_PER_100KB, MS_PER_MB, expectFast, repetition, soup, words } from '../convert-arbitraries.js';

const TYPES = [
  'doc', 'paragraph', 'text', 'heading', 'bulletList', 'orderedList', 'listItem', 'codeBlock', 'blockquote', 'panel',
  'rule', 'table', 'tableRow', 'tableCell', 'tableHeader', 'media', 'mediaSingle', 'mediaGroup', 'hardBreak', 'mention',
  'emoji', 'date', 'status', 'inlineCard', 'blockCard', 'expand', 'taskList', 'taskItem', 'layoutSection', 'constructor',
  'toString',
];
const ATTRS = ['level', 'order', 'language', 'panelType', 'colspan', 'url', 'text', 'state', 'timestamp', 'title', 'alt', 'id', 'href', 'type', 'shortName'];
const anyValue = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.integer(), fc.double(), fc.constant(null), fc.constantFrom('constructor', 'DONE', 'info'));

/** ADF-shaped trees with wrong types, unknown nodes and prototype names mixed in. */
const { node: adfNode } = fc.letrec((tie) => ({
  node: fc.record(
    {
      type: fc.oneof(fc.constantFrom(...TYPES), anyValue),
      text: anyValue,
      attrs: fc.oneof(fc.dictionary(fc.constantFrom(...ATTRS), anyValue), anyValue),
      marks: fc.oneof(fc.array(fc.record({ type: fc.constantFrom('strong', 'em', 'code', 'link', 'strike', 'x'), attrs: fc.record({ href: anyValue }) }), { maxLength: 3 }), anyValue),
      content: fc.oneof({ maxDepth: 5 }, anyValue, fc.array(fc.oneof(tie('node'), anyValue), { maxLength: 4 })),
    },
    { requiredKeys: ['type'] },
  ),
}));

const wordText = (w: string): unknown => ({ type: 'text', text: w });
const wordsDoc = (ws: string[], wrap: string): unknown => {
  const p = { type: 'paragraph', content: ws.flatMap((w) => [wordText(w), wordText(' ')]) };
  const block =
    wrap === 'paragraph' ? p
    : wrap === 'table' ? { type: 'table', content: [{ type: 'tableRow', content: [{ type: 'tableCell', content: [p] }] }] }
    : wrap === 'codeBlock' ? { type: 'codeBlock', content: [wordText(ws.join('\n'))] }
    : { type: wrap, content: [{ type: 'listItem', content: [p] }] };
  return { type: 'doc', content: [block] };
};

describe('Jira conversions: properties', () => {
  it('any wiki text: a string, never a throw', () => {
    fc.assert(fc.property(soup(WIKI_TOKENS), (s) => void expect(typeof wikiToMarkdown(s)).toBe('string')), { numRuns: 500 });
  });

  it('wiki text of plain words comes out unchanged', () => {
    fc.assert(
      fc.property(fc.array(words.map((ws) => ws.join(' ')), { minLength: 1, maxLength: 5 }), (lines) => {
        expect(wikiToMarkdown(lines.join('\n'))).toBe(lines.join('\n'));
      }),
    );
  });

  it('any JSON and any ADF-shaped tree: a string, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), adfNode), (d) => {
        expect(typeof adfToMarkdown(d)).toBe('string');
        expect(typeof plainText(d)).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('every word of an ADF paragraph, list, table or code block survives', () => {
    fc.assert(
      fc.property(words, fc.constantFrom('paragraph', 'bulletList', 'orderedList', 'table', 'codeBlock'), (ws, wrap) => {
        const d = wordsDoc(ws, wrap);
        for (const out of [adfToMarkdown(d), plainText(d)]) for (const w of ws) expect(out).toContain(w);
      }),
    );
  });

  it.each(WIKI_TOKENS)('wiki markup of %j × 100 KB converts in linear time', (token) => {
    expectFast(wikiToMarkdown, repeatTo(token, 100_000), MS_PER_100KB);
  });

  it('wiki markup of any repeated token pair × 100 KB converts in linear time', () => {
    fc.assert(fc.property(repetition(WIKI_TOKENS, 100_000), (input) => expectFast(wikiToMarkdown, input, MS_PER_100KB)), { numRuns: 30 });
  });

  it.each(Object.keys(ADF_HOSTILE))('ADF %s at 100 KB converts in linear time', (shape) => {
    const d = ADF_HOSTILE[shape]?.(100_000);
    expect(cpuMs(() => adfToMarkdown(d))).toBeLessThan(MS_PER_100KB);
  });

  it.each(['|', '{code:', '{panel:x}', '\u2028', '*#', '[~'])('a 1 MB hostile wiki field of %j converts well under a second', (token) => {
    expectFast(wikiToMarkdown, repeatTo(token, 1_000_000), MS_PER_MB);
  });

  it.each(['codeBlock of newlines', 'wide header, many rows', 'alternating marks', 'nested lists'])('a 1 MB hostile ADF field (%s) converts well under a second', (shape) => {
    const d = ADF_HOSTILE[shape]?.(1_000_000);
    expect(cpuMs(() => adfToMarkdown(d))).toBeLessThan(MS_PER_MB);
  });
});
