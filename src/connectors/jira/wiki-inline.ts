/**
 * Jira wiki-markup inline syntax → Markdown (one line at a time).
 * Notation: https://jira.atlassian.com/secure/WikiRendererHelpAction.jspa?section=all
 *
 * Recognized constructs are swapped for private-use placeholders, the remaining literal text is
 * Markdown-escaped, then placeholders are expanded. Every pattern's body excludes its own
 * delimiter (and `[` for links), so each match attempt stops at the next delimiter: linear time
 * even on hostile input such as a megabyte of `[[[[` or `{{{{`.
 */
import { codeSpan, escapeLineStarts, escapeText, link } from '../markdown.js';

const TOKEN = /\uE000(\d+)\uE001|[\uE002-\uE005]/g;
// Emphasis delimiters and line breaks are single placeholder characters rather than kept
// tokens: a line of `*#*#…` or `\\\\…` has one per few characters, and a token string for each
// made the garbage collector dominate (1 MB took 2 s).
const DELIMITER: Record<string, string> = { '**': '\uE002', '*': '\uE003', '~~': '\uE004' };
const LINE_BREAK = '\uE005';
const EXPAND: Record<string, string> = { '\uE002': '**', '\uE003': '*', '\uE004': '~~', [LINE_BREAK]: '\\\n' };
// Emphasis boundaries: the opening mark follows a non-letter, the closing one precedes a non-letter.
const B = '(^|[^\\p{L}\\p{N}])';
const E = '(?![\\p{L}\\p{N}])';

/** `intraword`: superscript and subscript attach to a word (x^2^, H~2~O); emphasis does not. */
function mark(ch: string, md: string, intraword = false): [RegExp, string] {
  const outside = ch.replace(/[?^+*]/g, '\\$&');
  const c = ch[0] === '^' || ch[0] === '-' ? `\\${ch[0]}` : ch[0] ?? '';
  const body = `[^${c}\\s](?:[^${c}\\n]*[^${c}\\s])?`;
  return [new RegExp(`${intraword ? '()' : B}${outside}(${body})${outside}${intraword ? '' : E}`, 'gu'), md];
}

// Each mark becomes placeholders, so a later pattern never re-reads an earlier one's output.
const MARKS: [RegExp, string][] = [
  mark('*', '**'),
  mark('_', '*'),
  mark('??', '*'),
  mark('-', '~~'),
  mark('+', ''),
  mark('^', '', true),
  mark('~', '', true),
];

function looksLikeUrl(s: string): boolean {
  return /^(?:https?|ftp|mailto|file):/i.test(s);
}

function attachmentPlaceholder(name: string): string {
  return link(`📎 ${escapeText(name)}`, `attachment:${name}`);
}

/** `[…]` link forms: [url], [text|url], [text|url|tip], [~user], [^attachment], [ISSUE-1]. */
function linkToken(inner: string): string {
  const parts = inner.split('|');
  const first = (parts[0] ?? '').trim();
  if (first.startsWith('~')) return escapeText(`@${first.slice(1)}`);
  if (first.startsWith('^')) return attachmentPlaceholder(first.slice(1));
  if (parts.length === 1) return looksLikeUrl(first) ? `<${first.replace(/[\s<>]/g, encodeURIComponent)}>` : escapeText(first);
  const target = (parts[1] ?? '').trim();
  if (target.startsWith('^')) return link(escapeText(first), `attachment:${target.slice(1)}`);
  return looksLikeUrl(target) ? link(escapeText(first), target) : escapeText(first);
}

export function wikiInline(line: string): string {
  // Lines and cells without any markup character (a table of 300,000 one-word rows, a row of
  // `|` × 500,000 empty cells) skip the dozen passes below, which would do nothing for them.
  if (!/[\\{[!:*_?+^~\uE000-\uE00F-]/.test(line)) return escapeLineStarts(escapeText(line));
  const tokens: string[] = [];
  const keep = (md: string): string => `\uE000${tokens.push(md) - 1}\uE001`;
  let s = line.replace(/[\uE000-\uE00F]/g, '');
  s = s.replace(/\\\\/g, LINE_BREAK);
  s = s.replace(/\\([^\s\w])/g, (_m, c: string) => keep(escapeText(c)));
  s = s.replace(/\{\{([^{}\n]+)\}\}/g, (_m, code: string) => keep(codeSpan(code)));
  s = s.replace(/\{(?:color|anchor)(?::[^{}\n]*)?\}/g, '');
  s = s.replace(/\[([^[\]\n]+)\]/g, (_m, inner: string) => keep(linkToken(inner)));
  s = s.replace(/!([^!\s|][^!\n|]*?)(\|[^!\n]*)?!/g, (m, name: string) =>
    /\.\w{2,5}$|:\/\//.test(name) ? keep(attachmentPlaceholder(name)) : m,
  );
  s = s.replace(/\b(?:https?|ftp):\/\/[^\s<>\]|\uE000]+/g, (url) => keep(`<${url}>`));
  for (const [re, md] of MARKS) {
    const d = DELIMITER[md] ?? '';
    s = s.replace(re, `$1${d}$2${d}`);
  }
  const escaped = escapeText(s);
  return escapeLineStarts(escaped.replace(TOKEN, (m, i?: string) => (i === undefined ? (EXPAND[m] ?? '') : (tokens[Number(i)] ?? ''))));
}
