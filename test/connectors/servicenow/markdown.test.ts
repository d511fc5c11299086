/**
 * HTML and journal text → Markdown, table-driven from ServiceNow documents: the journal
 * examples of ServiceNowDocs `render-journal-field-entries-as-html.md` ([code] spans) and the
 * HTML the platform's rich-text editor stores in HTML fields (knowledge articles, descriptions).
 */
import { describe, expect, it } from 'vitest';
import {
  fieldToMarkdown,
  htmlToMarkdown,
  journalToMarkdown,
  maxNestingDepth,
} from '../../../src/connectors/servicenow/markdown.js';

describe('htmlToMarkdown', () => {
  const cases: [string, string, string][] = [
    ['paragraphs and line breaks', '<p>Printer on floor 3 is jammed.<br>Tried power cycle.</p><p>Still failing.</p>', 'Printer on floor 3 is jammed.  \nTried power cycle.\n\nStill failing.'],
    ['bold, italic, underline text', '<p><strong>Impact:</strong> all <em>EMEA</em> users</p>', '**Impact:** all _EMEA_ users'],
    ['link', '<a href="http://www.service-now.com">ServiceNow</a>', '[ServiceNow](http://www.service-now.com)'],
    ['headings', '<h2>Symptoms</h2><p>VPN drops</p>', '## Symptoms\n\nVPN drops'],
    ['bullet list', '<ul><li>Restart the client</li><li>Clear the cache</li></ul>', '-   Restart the client\n-   Clear the cache'],
    ['ordered list', '<ol><li>Open <b>Settings</b></li><li>Save</li></ol>', '1.  Open **Settings**\n2.  Save'],
    ['code block', '<pre><code>ping 10.0.0.1\ntracert host</code></pre>', '```\nping 10.0.0.1\ntracert host\n```'],
    ['table with header row', '<table><tbody><tr><th>Host</th><th>Status</th></tr><tr><td>mail01</td><td>down</td></tr></tbody></table>', '| Host | Status |\n| --- | --- |\n| mail01 | down |'],
    ['table without th, pipes escaped', '<table><tr><td>a|b</td><td>c</td></tr></table>', '| a\\|b | c |\n| --- | --- |'],
    ['entities and unicode', '<p>Caf&eacute; &amp; Zoë — 山田 &lt;3 😀</p>', 'Café & Zoë — 山田 <3 😀'],
    ['script and style are dropped', '<p>ok</p><script>alert(1)</script><style>p{}</style>', 'ok'],
    ['font and span markup keeps its text', '<p><span style="color:#ff0000"><font size="2">red alert</font></span></p>', 'red alert'],
    ['image', '<img src="/sys_attachment.do?sys_id=abc" alt="screenshot">', '![screenshot](/sys_attachment.do?sys_id=abc)'],
  ];
  it.each(cases)('%s', (_name, html, md) => {
    expect(htmlToMarkdown(html)).toBe(md);
  });

  it('converts 1 MB of HTML completely', () => {
    const para = '<p>Ünïcødé <b>bold</b> line with a <a href="https://x.test/k">link</a></p>';
    const html = para.repeat(Math.ceil(1_048_576 / para.length));
    const md = htmlToMarkdown(html);
    expect(md.split('\n\n')).toHaveLength(Math.ceil(1_048_576 / para.length));
    expect(md).not.toContain('<');
  });

  it('degrades deeply nested input to its text instead of overflowing the stack', () => {
    const deep = `${'<div><span>'.repeat(20_000)}deep text${'</span></div>'.repeat(20_000)}`;
    expect(maxNestingDepth(deep)).toBe(40_000);
    expect(htmlToMarkdown(deep)).toBe('deep text');
  });

  it('does not count unclosed paragraphs and void elements as nesting', () => {
    expect(maxNestingDepth('<p>a<p>b<br><img src=x><p>c<div>d</div>')).toBe(1);
  });
});

describe('fieldToMarkdown', () => {
  it.each([
    ['plain text stays text, newlines and markdown characters untouched', 'Line 1\nif a < b and *x* > 2', 'Line 1\nif a < b and *x* > 2'],
    ['HTML is converted', '<p>Hello <b>team</b></p>', 'Hello **team**'],
    ['empty is null', '', null],
    ['whitespace only is null', '  \n ', null],
  ])('%s', (_name, input, expected) => {
    expect(fieldToMarkdown(input)).toBe(expected);
  });
});

describe('journalToMarkdown', () => {
  it.each([
    ['[code] link renders', '[code]<a href="http://www.service-now.com">ServiceNow</a>[/code]', '[ServiceNow](http://www.service-now.com)'],
    ['[code] bold renders', '[code]<b>This text will be bold. </b>[/code]', '**This text will be bold.**'],
    ['tags outside [code] stay literal', '<b>This text will not be bold.</b>', '<b>This text will not be bold.</b>'],
    ['[code] script is removed', '[code]<script> gs.info(gs.getUserDisplayName());</script>[/code]', ''],
    ['several [code] spans mixed with text', 'Before [code]<i>one</i>[/code] middle [CODE]<b>two</b>[/CODE] after', 'Before _one_ middle **two** after'],
    ['plain multi-line text', 'Called the user.\nNo answer; will retry.', 'Called the user.\nNo answer; will retry.'],
  ])('%s', (_name, input, expected) => {
    expect(journalToMarkdown(input)).toBe(expected);
  });
});
