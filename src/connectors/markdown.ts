/**
 * Small Markdown (CommonMark + GFM tables) building blocks shared by the converters (Jira ADF
 * and wiki markup, ServiceNow's streaming HTML converter). Everything here is linear in its
 * input: no regex can backtrack over more than one run of the same character class.
 */

/** Escapes characters that would start Markdown inline syntax inside plain text. */
export function escapeText(text: string): string {
  // `_` only matters at a word boundary (CommonMark ignores intraword underscores), so
  // snake_case names stay readable.
  return text.replace(/[\\`*[\]<~]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, (c) => `\\${c}`);
}

/** Escapes what would turn a plain line into a heading, quote, list item or rule. */
export function escapeLineStarts(text: string): string {
  return text.replace(/^([ \t]{0,3})([#>+=-]|\d{1,9}(?=[.)]))/gm, (_m, space: string, mark: string) =>
    /\d/.test(mark[0] ?? '') ? `${space}${mark}\\` : `${space}\\${mark}`,
  );
}

export function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

export function codeSpan(text: string): string {
  const oneLine = text.replace(/\r?\n/g, ' ');
  if (oneLine === '') return '';
  const ticks = '`'.repeat(longestRun(oneLine, '`') + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') || /^ .* $/s.test(oneLine) ? ' ' : '';
  return `${ticks}${pad}${oneLine}${pad}${ticks}`;
}

export function codeFence(code: string, language: string | null): string {
  const fence = '`'.repeat(Math.max(3, longestRun(code, '`') + 1));
  const lang = (language ?? '').replace(/[^\w+#.-]/g, '');
  return `${fence}${lang}\n${code.replace(/\n$/, '')}\n${fence}`;
}

/** A link destination that survives spaces, parentheses and angle brackets. */
export function linkDestination(url: string): string {
  return url.replace(/[\s()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function link(text: string, url: string): string {
  return `[${text === '' ? escapeText(url) : text}](${linkDestination(url)})`;
}

/** Prefixes the first line with `first` and every following non-empty line with `rest`. */
export function indentLines(text: string, first: string, rest: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? first + line : line === '' ? '' : rest + line))
    .join('\n');
}

export function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n');
}

/** Up to this many columns every row is padded to the widest; beyond, only the header is. */
const MAX_PADDED_COLUMNS = 100;

/**
 * A GFM table; the first row is the header (GFM has no header-less tables). GFM renderers fill
 * short rows themselves, so past MAX_PADDED_COLUMNS the body rows are left short: padding them
 * would make one wide row times many short ones quadratic.
 */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  let width = 1;
  for (const r of rows) width = Math.max(width, r.length);
  const cell = (s: string): string => (s === '' ? '' : s.replace(/\r?\n/g, '<br>').replace(/\|/g, '\\|').trim());
  const line = (r: string[], cells: number): string => {
    let out = '|';
    for (let i = 0; i < cells; i++) out += ` ${cell(r[i] ?? '')} |`;
    return out;
  };
  const lines = [line(rows[0] ?? [], width), `|${' --- |'.repeat(width)}`];
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i] ?? [];
    lines.push(line(r, width <= MAX_PADDED_COLUMNS ? width : Math.max(1, r.length)));
  }
  return lines.join('\n');
}

/** Joins rendered blocks with blank lines, dropping empty ones. */
export function joinBlocks(blocks: string[]): string {
  return blocks.filter((b) => b.trim() !== '').join('\n\n');
}
