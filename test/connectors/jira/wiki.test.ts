/**
 * Wiki markup → Markdown, table-driven from the examples of Jira's Text Formatting Notation
 * Help (https://jira.atlassian.com/secure/WikiRendererHelpAction.jspa?section=all).
 */
import { describe, expect, it } from 'vitest';
import { wikiToMarkdown } from '../../../src/connectors/jira/wiki.js';

describe('wikiToMarkdown', () => {
  it.each<[string, string, string]>([
    ['h1. Biggest heading', 'h1. Biggest heading', '# Biggest heading'],
    ['h6. Smallest heading', 'h6. Smallest heading', '###### Smallest heading'],
    ['*strong*', 'Makes text *strong*.', 'Makes text **strong**.'],
    ['_emphasis_', 'Makes text _emphasis_.', 'Makes text *emphasis*.'],
    ['??citation??', '??citation??', '*citation*'],
    ['-deleted-', 'Makes text as -deleted-.', 'Makes text as ~~deleted~~.'],
    ['+inserted+ (underline) as plain', 'Makes text as +inserted+.', 'Makes text as inserted.'],
    ['^superscript^ and ~subscript~ as plain', 'x^2^ and H~2~O', 'x2 and H2O'],
    ['{{monospaced}}', 'Makes text as {{code text}}.', 'Makes text as `code text`.'],
    ['intraword and spaced markers stay literal', 'snake_case_name, well-known-thing, 2024-01-02, a - b - c, 2 * 3 * 4',
      'snake_case_name, well-known-thing, 2024-01-02, a - b - c, 2 \\* 3 \\* 4'],
    ['bq.', 'bq. Some block quoted text', '> Some block quoted text'],
    ['{quote}', '{quote}\n    here is quoteable\n content to be quoted\n{quote}', '> here is quoteable\n> content to be quoted'],
    ['{color} is dropped', '{color:red}\n    look ma, red text!\n{color}', 'look ma, red text!'],
    ['---- is a rule', 'a\n----\nb', 'a\n\n---\n\nb'],
    ['\\\\ is a line break', 'line one\\\\line two', 'line one\\\nline two'],
    ['[#anchor]-less link forms', '[http://jira.atlassian.com] and [Atlassian|http://atlassian.com]', '<http://jira.atlassian.com> and [Atlassian](http://atlassian.com)'],
    ['[mailto:]', '[mailto:legendaryservice@atlassian.com]', '<mailto:legendaryservice@atlassian.com>'],
    ['[~username] mention', 'ping [~jsmith] please', 'ping @jsmith please'],
    ['[^attachment.ext]', 'see [^report.pdf]', 'see [📎 report.pdf](attachment:report.pdf)'],
    ['!image! placeholders', '!http://www.host.com/image.gif! and !attached-image.gif|thumbnail!',
      '[📎 http://www.host.com/image.gif](attachment:http://www.host.com/image.gif) and [📎 attached-image.gif](attachment:attached-image.gif)'],
    ['exclamation marks are not images', 'Hello! How are you!', 'Hello! How are you!'],
    ['bare URL keeps underscores', 'see https://x.io/a_b_c-d-', 'see <https://x.io/a_b_c-d->'],
    ['bullets * and **', '* some\n* bullet\n** indented\n** bullets\n* points', '- some\n- bullet\n  - indented\n  - bullets\n- points'],
    ['- bullets', '- different\n- bullet\n- types', '- different\n- bullet\n- types'],
    ['numbered # and ##', '# a\n# numbered\n## nested', '1. a\n1. numbered\n   1. nested'],
    ['mixed #*', '# a\n#* bullet in number', '1. a\n   - bullet in number'],
    ['*bold* at line start is not a list', '*bold* start', '**bold** start'],
    ['table with header row and link cell', '||heading 1||heading 2||\n|col A1|[x|http://a.b/c]|',
      '| heading 1 | heading 2 |\n| --- | --- |\n| col A1 | [x](http://a.b/c) |'],
    ['{code:java}', '{code:java}\n// Some comments here\npublic String getFoo()\n{\n    return foo;\n}\n{code}',
      '```java\n// Some comments here\npublic String getFoo()\n{\n    return foo;\n}\n```'],
    ['{code:title=Bar.java|borderStyle=solid}', '{code:title=Bar.java|borderStyle=solid}\nint x = 1;\n{code}', '```\nint x = 1;\n```'],
    ['{noformat} keeps markup literal', '{noformat}\n*no* _format_\n{noformat}', '```\n*no* _format_\n```'],
    ['unclosed {code} runs to the end', 'before\n{code}\nx = *y*', 'before\n\n```\nx = *y*\n```'],
    ['{panel:title=...}', '{panel:title=My Title|borderStyle=dashed}\nSome text with a title\n{panel}', '> **My Title**\n>\n> Some text with a title'],
    ['escaped markers', '\\*not bold\\*', '\\*not bold\\*'],
    ['markdown characters in text are escaped', 'use `x` and <b> and # 1', 'use \\`x\\` and \\<b> and # 1'],
    ['CRLF input', 'a\r\nb\r\n\r\nc', 'a\nb\n\nc'],
  ])('%s', (_name, input, expected) => {
    expect(wikiToMarkdown(input)).toBe(expected);
  });

  it.each(['[', '{{', '*a', '{code:x}', '!a', '-a ', '_a ', '??', '[~', '|'])(
    'stays linear on 1 MB of %j',
    (unit) => {
      const input = unit.repeat(Math.ceil(1_000_000 / unit.length));
      const md = wikiToMarkdown(input);
      expect(md.length).toBeGreaterThan(0);
    },
  );
});
