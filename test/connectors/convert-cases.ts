/**
 * Every text converter with realistic input and hostile input of any size, shared by the
 * property tests (test/connectors/…/convert-property.test.ts) and `npm run bench -- convert`.
 * Hostile input repeats one of the converter's special tokens (or, for ADF, one node shape)
 * up to the size asked for: the shapes that made the old converters quadratic.
 */
import { adfToMarkdown } from '../../src/connectors/jira/adf.js';
import { wikiToMarkdown } from '../../src/connectors/jira/wiki.js';
import { fieldToMarkdown, journalToMarkdown } from '../../src/connectors/servicenow/markdown.js';

export interface ConverterCase {
  name: string;
  convert: (input: unknown) => unknown;
  realistic: (bytes: number) => unknown;
  /** Hostile inputs by name, each of about `bytes` (UTF-16 units, or JSON length for ADF). */
  hostile: Record<string, (bytes: number) => unknown>;
}

export function repeatTo(fragment: string, bytes: number): string {
  return fragment.repeat(Math.max(1, Math.ceil(bytes / fragment.length))).slice(0, bytes);
}

/** CPU time of `fn` in ms: unlike wall time it does not grow when other processes share the cores. */
export function cpuMs(fn: () => unknown): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

export const HTML_TOKENS = [
  '<p', '<a', '<', '‹', '<p>', '</p>', '<b>', '<b> ', '<br>', 'x<br>', '&nbsp;', '&', '\u00a0', ' \n', '<pre>',
  '<code>', '`', '<table><tr><td>', '<td>', '<tr>', '<li>', '<ul><li>', '<blockquote>', '<div>', '<span>', '<!--',
  '<script>', '</', '<a href="', '"', '*', '_', '#', '[code]', '<h1>', '<img src=x alt="', '<ol start=9><li>',
];
export const JOURNAL_TOKENS = ['[code]', '[/code]', '[code]<a', '[CODE]<p', '<a', '[', ']', '\n', ...HTML_TOKENS];
export const WIKI_TOKENS = [
  '*', '_', '[', ']', '|', '||', '{', '}', '{{', '}}', '{code}', '{code:', '{quote}', '{panel:x}', '{noformat}', '!',
  '!a|', '\n', '-', '+', '^', '~', '??', 'h1. ', '# ', '* ', '*a ', '_a ', '\\\\', '\\', 'http://a', '[a|', '[~',
  '|a\n', '{color:red}', '\u2028', ' ', 'a', '----', 'bq. ', '*#', ' \n',
];

const text = (t: string, marks: unknown[] = []): unknown => ({ type: 'text', text: t, marks });
const doc = (...content: unknown[]): unknown => ({ type: 'doc', version: 1, content });
const para = (...content: unknown[]): unknown => ({ type: 'paragraph', content });
const count = (bytes: number, each: number): number => Math.max(1, Math.floor(bytes / each));

function nested(type: string, item: string, bytes: number): unknown {
  let node: unknown = para(text('x'));
  for (let i = 0; i < count(bytes, 60); i++) node = { type, content: [{ type: item, content: [node] }] };
  return doc(node);
}

export const ADF_HOSTILE: Record<string, (bytes: number) => unknown> = {
  'codeBlock of newlines': (b) => doc({ type: 'codeBlock', content: [text(`${'\n'.repeat(b)}x`)] }),
  'paragraph of newlines': (b) => doc(para(text(`${'\n'.repeat(b)}x`))),
  'markdown characters': (b) => doc(para(text(repeatTo('*_[`<#>|~\\', b)))),
  'spaces around strong': (b) => doc(para(text(`${' '.repeat(b / 2)}x${' '.repeat(b / 2)}`, [{ type: 'strong' }]))),
  'alternating marks': (b) => doc(para(...Array.from({ length: count(b, 50) }, (_, i) => text('ab ', i % 2 ? [{ type: 'em' }] : [])))),
  'hardBreaks': (b) => doc(para(...Array.from({ length: count(b, 20) }, () => ({ type: 'hardBreak' })))),
  'nested lists': (b) => nested('bulletList', 'listItem', b),
  'nested quotes': (b) => nested('blockquote', 'paragraph', b),
  'wide header, many rows': (b) => doc({
    type: 'table',
    content: [
      { type: 'tableRow', content: Array.from({ length: count(b, 90) }, () => ({ type: 'tableCell', attrs: { colspan: 100 } })) },
      ...Array.from({ length: count(b, 90) }, () => ({ type: 'tableRow', content: [{ type: 'tableCell', content: [] }] })),
    ],
  }),
  'backticks in code': (b) => doc(para(text('`'.repeat(b), [{ type: 'code' }]))),
  'unknown nodes': (b) => doc(...Array.from({ length: count(b, 40) }, () => ({ type: 'constructor', text: 'x ' }))),
};

function realisticHtml(bytes: number): string {
  const block =
    '<h2>Symptoms</h2>\n<p>Users on <span style="color:#333">floor 3</span> report <strong>VPN</strong> drops &amp; ' +
    'timeouts.<br>See <a href="https://kb.example.com/kb0001">KB0001</a>.</p>\n<ul>\n  <li>Restart the client</li>\n' +
    '  <li>Clear the <em>cache</em></li>\n</ul>\n<table><tbody><tr><th>Host</th><th>Status</th></tr>' +
    '<tr><td>mail01</td><td>down</td></tr></tbody></table>\n<pre><code>ping 10.0.0.1</code></pre>\n';
  return repeatTo(block, bytes);
}

function realisticWiki(bytes: number): string {
  const block =
    'h2. Steps\n# Open *Settings* and _Network_\n# Run {{ipconfig /all}}\n||Host||Status||\n|mail01|[down|http://x.test/s]|\n' +
    '{code:bash}\nping 10.0.0.1\n{code}\nbq. Escalated to [~jsmith], see !screen.png|thumbnail!\n\n';
  return repeatTo(block, bytes);
}

function realisticAdf(bytes: number): unknown {
  const block = [
    { type: 'heading', attrs: { level: 2 }, content: [text('Steps')] },
    para(text('Open '), text('Settings', [{ type: 'strong' }]), text(' and see '), text('docs', [{ type: 'link', attrs: { href: 'https://x.test' } }])),
    { type: 'bulletList', content: [{ type: 'listItem', content: [para(text('Restart the client'))] }] },
    { type: 'codeBlock', attrs: { language: 'bash' }, content: [text('ping 10.0.0.1\ntracert host')] },
  ];
  const size = JSON.stringify(block).length;
  return doc(...Array.from({ length: count(bytes, size) }, () => block).flat());
}

const fromTokens = (tokens: string[]): Record<string, (bytes: number) => unknown> =>
  Object.fromEntries(tokens.map((t) => [JSON.stringify(t), (bytes: number) => repeatTo(t, bytes)]));

export const CONVERTERS: ConverterCase[] = [
  { name: 'ServiceNow HTML field', convert: (s) => fieldToMarkdown(s as string), realistic: realisticHtml, hostile: fromTokens(HTML_TOKENS) },
  {
    name: 'ServiceNow journal entry',
    convert: (s) => journalToMarkdown(s as string),
    realistic: (b) => repeatTo('Called the user; no answer. [code]<p>Log: <b>timeout</b></p>[/code]\n', b),
    hostile: fromTokens(JOURNAL_TOKENS),
  },
  { name: 'Jira wiki markup', convert: (s) => wikiToMarkdown(s as string), realistic: realisticWiki, hostile: fromTokens(WIKI_TOKENS) },
  { name: 'Jira ADF', convert: (d) => adfToMarkdown(d), realistic: realisticAdf, hostile: ADF_HOSTILE },
];

export function sizeOf(input: unknown): number {
  return typeof input === 'string' ? input.length : JSON.stringify(input).length;
}
