/**
 * ADF → Markdown, table-driven. Node shapes are the examples of Atlassian's node reference
 * (https://developer.atlassian.com/cloud/jira/platform/apis/document/nodes/…).
 */
import { describe, expect, it } from 'vitest';
import { adfToMarkdown } from '../../../src/connectors/jira/adf.js';

const t = (text: string, marks?: unknown[]): unknown => (marks ? { type: 'text', text, marks } : { type: 'text', text });
const p = (...content: unknown[]): unknown => ({ type: 'paragraph', content });
const doc = (...content: unknown[]): unknown => ({ version: 1, type: 'doc', content });
const li = (...content: unknown[]): unknown => ({ type: 'listItem', content });

describe('adfToMarkdown', () => {
  it.each<[string, unknown, string]>([
    ['doc node example (text + strong)', doc(p(t('Hello '), t('world', [{ type: 'strong' }]))), 'Hello **world**'],
    ['heading level 3', doc({ type: 'heading', attrs: { level: 3 }, content: [t('Heading')] }), '### Heading'],
    ['em, strike, code, underline as plain',
      doc(p(t('a', [{ type: 'em' }]), t(' '), t('b', [{ type: 'strike' }]), t(' '), t('x*y', [{ type: 'code' }]), t(' '), t('u', [{ type: 'underline' }]))),
      '*a* ~~b~~ `x*y` u'],
    ['link mark', doc(p(t('Atlassian', [{ type: 'link', attrs: { href: 'http://atlassian.com' } }]))), '[Atlassian](http://atlassian.com)'],
    ['strong + link, spaces stay outside the emphasis',
      doc(p(t('see '), t(' docs ', [{ type: 'strong' }, { type: 'link', attrs: { href: 'https://x.io/a b' } }]), t('now'))),
      'see  [**docs**](https://x.io/a%20b) now'],
    ['adjacent text nodes with the same marks merge', doc(p(t('bo', [{ type: 'strong' }]), t('ld', [{ type: 'strong' }]))), '**bold**'],
    ['markdown characters in text are escaped', doc(p(t('2 * 3 = [six] <b> `x` _y_ snake_case'))), '2 \\* 3 = \\[six\\] \\<b> \\`x\\` \\_y\\_ snake_case'],
    ['line-start markers are escaped', doc(p(t('# not a heading')), p(t('1. not a list'))), '\\# not a heading\n\n1\\. not a list'],
    ['hardBreak', doc(p(t('line one'), { type: 'hardBreak' }, t('- line two'))), 'line one\\\n\\- line two'],
    ['mention example', doc(p({ type: 'mention', attrs: { id: 'ABCDE-ABCDE-ABCDE-ABCDE', text: '@Bradley Ayers', userType: 'APP' } })), '@Bradley Ayers'],
    ['mention without text', doc(p({ type: 'mention', attrs: { id: '5b10a284' } })), '@5b10a284'],
    ['emoji example', doc(p({ type: 'emoji', attrs: { shortName: ':grinning:', text: '😀' } })), '😀'],
    ['emoji without text', doc(p({ type: 'emoji', attrs: { shortName: ':awthanks:', id: 'atlassian-awthanks' } })), ':awthanks:'],
    ['date example (seconds in the docs)', doc(p({ type: 'date', attrs: { timestamp: '1582152559' } })), '2020-02-19'],
    ['date in milliseconds', doc(p({ type: 'date', attrs: { timestamp: '1704067200000' } })), '2024-01-01'],
    ['status example', doc(p({ type: 'status', attrs: { localId: 'abcdef12', text: 'In Progress', color: 'yellow' } })), '`In Progress`'],
    ['inlineCard example', doc(p({ type: 'inlineCard', attrs: { url: 'https://atlassian.com' } })), '<https://atlassian.com>'],
    ['blockCard', doc({ type: 'blockCard', attrs: { url: 'https://x.atlassian.net/browse/A-1' } }), '<https://x.atlassian.net/browse/A-1>'],
    ['bulletList with nested orderedList',
      doc({ type: 'bulletList', content: [li(p(t('one')), { type: 'orderedList', content: [li(p(t('a'))), li(p(t('b')))] }), li(p(t('two')))] }),
      '- one\n  1. a\n  2. b\n- two'],
    ['orderedList with order attribute', doc({ type: 'orderedList', attrs: { order: 3 }, content: [li(p(t('c'))), li(p(t('d')))] }), '3. c\n4. d'],
    ['nested ordered list not starting at 1 is separated', doc({ type: 'bulletList', content: [li(p(t('x')), { type: 'orderedList', attrs: { order: 5 }, content: [li(p(t('y')))] })] }), '- x\n\n  5. y'],
    ['taskList', doc({ type: 'taskList', content: [{ type: 'taskItem', attrs: { state: 'DONE' }, content: [t('done')] }, { type: 'taskItem', attrs: { state: 'TODO' }, content: [t('todo')] }] }), '- [x] done\n- [ ] todo'],
    ['codeBlock example with language', doc({ type: 'codeBlock', attrs: { language: 'javascript' }, content: [t('var foo = {};\nvar bar = [];')] }), '```javascript\nvar foo = {};\nvar bar = [];\n```'],
    ['codeBlock containing a fence', doc({ type: 'codeBlock', content: [t('```\n*x*')] }), '````\n```\n*x*\n````'],
    ['blockquote', doc({ type: 'blockquote', content: [p(t('quoted')), p(t('second'))] }), '> quoted\n>\n> second'],
    ['panel info', doc({ type: 'panel', attrs: { panelType: 'info' }, content: [p(t('Hello world'))] }), '> [!NOTE]\n> Hello world'],
    ['panel error', doc({ type: 'panel', attrs: { panelType: 'error' }, content: [p(t('Bad'))] }), '> [!CAUTION]\n> Bad'],
    ['rule', doc(p(t('a')), { type: 'rule' }, p(t('b'))), 'a\n\n---\n\nb'],
    ['table with header row, colspan and pipe in a cell',
      doc({ type: 'table', attrs: { isNumberColumnEnabled: false, layout: 'default' }, content: [
        { type: 'tableRow', content: [{ type: 'tableHeader', content: [p(t('H1'))] }, { type: 'tableHeader', content: [p(t('H2'))] }] },
        { type: 'tableRow', content: [{ type: 'tableCell', attrs: { colspan: 2 }, content: [p(t('a|b'))] }] },
        { type: 'tableRow', content: [{ type: 'tableCell', content: [p(t('x'), { type: 'hardBreak' }, t('y'))] }, { type: 'tableCell', content: [p(t('z'))] }] },
      ] }),
      '| H1 | H2 |\n| --- | --- |\n| a\\|b |  |\n| x<br>y | z |'],
    ['mediaSingle example → placeholder link', doc({ type: 'mediaSingle', attrs: { layout: 'center' }, content: [{ type: 'media', attrs: { id: '4478e39c-cf9b-41d1-ba92-68589487cd75', type: 'file', collection: 'MediaServicesSample', alt: 'moon.jpeg', width: 225, height: 225 } }] }),
      '[📎 moon.jpeg](attachment:4478e39c-cf9b-41d1-ba92-68589487cd75)'],
    ['mediaGroup example', doc({ type: 'mediaGroup', content: [{ type: 'media', attrs: { type: 'file', id: 'a1', collection: '' } }, { type: 'media', attrs: { type: 'file', id: 'b2', collection: '' } }] }),
      '[📎 attachment](attachment:a1)\n[📎 attachment](attachment:b2)'],
    ['external media uses its url', doc({ type: 'mediaSingle', content: [{ type: 'media', attrs: { type: 'external', url: 'https://img.example/x.png' } }] }), '[📎 attachment](https://img.example/x.png)'],
    ['expand with title', doc({ type: 'expand', attrs: { title: 'More' }, content: [p(t('hidden'))] }), '**More**\n\nhidden'],
    ['unknown block degrades to its content', doc({ type: 'layoutSection', content: [{ type: 'layoutColumn', content: [p(t('col'))] }] }, { type: 'futureNode', content: [t('future text')] }), 'col\n\nfuture text'],
    ['unknown inline degrades to its text', doc(p({ type: 'inlineThing', attrs: { text: 'ignored' }, content: [t('inner')] })), 'inner'],
    ['wrong types are tolerated', doc(p(t('ok')), { type: 'paragraph', content: 'not an array' }, { type: 'text', text: 42 }, null, 'str', p({ type: 'text', text: { no: 1 } }), { type: 'heading', attrs: 'x', content: [t('h')] }), 'ok\n\n42\n\n# h'],
    ['empty and non-documents', doc(), ''],
  ])('%s', (_name, input, expected) => {
    expect(adfToMarkdown(input)).toBe(expected);
  });

  it('returns empty text for things that are not ADF', () => {
    for (const v of [null, undefined, 42, 'text', [], true]) expect(adfToMarkdown(v)).toBe('');
  });

  it('resolves media through the caller (attachment content URL)', () => {
    const input = doc({ type: 'mediaSingle', content: [{ type: 'media', attrs: { type: 'file', id: 'm1', collection: '', alt: 'a b.png' } }] });
    expect(adfToMarkdown(input, { mediaUrl: (a) => (a.alt === 'a b.png' ? 'https://j/att/1' : null) })).toBe('[📎 a b.png](https://j/att/1)');
  });

  it('survives 100,000 levels of nesting and keeps the innermost text', () => {
    let node: unknown = p(t('bottom'));
    for (let i = 0; i < 100_000; i++) node = { type: i % 2 ? 'blockquote' : 'bulletList', content: [i % 2 ? node : li(node)] };
    const md = adfToMarkdown(doc(node));
    expect(md.endsWith('bottom')).toBe(true);
    expect(md.length).toBeLessThan(10_000);
  });

  it('renders a paragraph of 300,000 text nodes completely', () => {
    const content = Array.from({ length: 300_000 }, (_, i) => t(`w${i} `, i % 2 ? [{ type: 'em' }] : undefined));
    const md = adfToMarkdown(doc({ type: 'paragraph', content }));
    expect(md).toContain('w0 *w1* w2');
    expect(md).toContain('*w299999*');
  });
});
