/**
 * ADF inline content → Markdown, and the iterative plain-text fallback used for unknown
 * nodes and for anything nested deeper than the block renderer goes.
 * Node reference: https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
 */
import { codeSpan, escapeText, link } from '../markdown.js';

export type AdfNode = Record<string, unknown>;

export interface AdfOptions {
  /** Where a media node points (e.g. the attachment with the same file name); null = placeholder. */
  mediaUrl?: (attrs: Record<string, unknown>) => string | null;
}

export function isNode(v: unknown): v is AdfNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function children(node: AdfNode): unknown[] {
  return Array.isArray(node.content) ? node.content : [];
}

export function attrs(node: AdfNode): Record<string, unknown> {
  return isNode(node.attrs) ? node.attrs : {};
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
}

const BLOCK_BOUNDARY = new Set(['paragraph', 'heading', 'listItem', 'codeBlock', 'tableRow', 'taskItem', 'decisionItem']);
const END_OF_BLOCK = Symbol('end of block');

/** Text of a subtree without formatting; an explicit stack, so depth cannot overflow the call stack. */
export function plainText(root: unknown): string {
  const parts: string[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const n = stack.pop();
    if (n === END_OF_BLOCK) {
      if (parts.length > 0 && !parts[parts.length - 1]?.endsWith('\n')) parts.push('\n');
      continue;
    }
    if (!isNode(n)) continue;
    const text = inlineAtomText(n);
    if (text !== null) parts.push(text);
    const kids = children(n);
    if (BLOCK_BOUNDARY.has(String(n.type))) stack.push(END_OF_BLOCK);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  return trimTrailingNewlines(parts.join(''));
}

/** `s.replace(/\n+$/, '')` without the regex, which is quadratic in a long run of newlines. */
function trimTrailingNewlines(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 10) end--;
  return s.slice(0, end);
}

/** The visible text of a leaf node, or null when it has none of its own. */
function inlineAtomText(n: AdfNode): string | null {
  const a = attrs(n);
  switch (n.type) {
    case 'text':
      return str(n.text);
    case 'hardBreak':
      return '\n';
    case 'mention':
      return str(a.text) ?? (str(a.id) !== null ? `@${str(a.id)}` : null);
    case 'emoji':
      return str(a.text) ?? str(a.shortName);
    case 'date':
      return formatDate(a.timestamp);
    case 'status':
      return str(a.text);
    case 'inlineCard':
    case 'blockCard':
    case 'embedCard':
      return cardUrl(a);
    case 'media':
    case 'mediaInline':
      return str(a.alt) ?? 'attachment';
    default:
      return typeof n.text === 'string' ? n.text : null;
  }
}

/** ADF dates are epoch milliseconds as a string; the doc example ("1582152559") is seconds, so both are accepted. */
function formatDate(ts: unknown): string | null {
  const n = Number(str(ts) ?? NaN);
  if (!Number.isFinite(n)) return null;
  const d = new Date(Math.abs(n) < 1e11 ? n * 1000 : n);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().slice(0, 10);
}

function cardUrl(a: Record<string, unknown>): string | null {
  const data = isNode(a.data) ? a.data : {};
  return str(a.url) ?? str(data.url) ?? str(data.name);
}

export function mediaPlaceholder(a: Record<string, unknown>, opts: AdfOptions): string {
  const name = str(a.alt) ?? 'attachment';
  const url =
    (a.type === 'external' ? str(a.url) : null) ?? opts.mediaUrl?.(a) ?? `attachment:${str(a.id) ?? name}`;
  return link(`📎 ${escapeText(name)}`, url);
}

function markTypes(node: AdfNode): AdfNode[] {
  return Array.isArray(node.marks) ? node.marks.filter(isNode) : [];
}

/** Markdown of a run of text with one set of marks; emphasis keeps surrounding spaces outside. */
function markedText(text: string, marks: AdfNode[]): string {
  const has = (t: string): boolean => marks.some((m) => m.type === t);
  const escaped = has('code') ? codeSpan(text) : escapeText(text);
  let core = escaped.trim();
  if (core === '') return escaped;
  const before = escaped.slice(0, escaped.length - escaped.trimStart().length);
  const after = escaped.slice(escaped.trimEnd().length);
  if (!has('code')) {
    if (has('strike')) core = `~~${core}~~`;
    if (has('em')) core = `*${core}*`;
    if (has('strong')) core = `**${core}**`;
  }
  const href = str(attrs(marks.find((m) => m.type === 'link') ?? {}).href);
  if (href !== null) core = link(core, href);
  return before + core + after;
}

/** Inline content → Markdown. Adjacent text nodes with the same marks are merged first. */
export function renderInline(nodes: unknown[], opts: AdfOptions): string {
  const out: string[] = [];
  let runText = '';
  let runMarks: AdfNode[] = [];
  let runKey: string | null = null;
  const flush = (): void => {
    if (runKey !== null) out.push(markedText(runText, runMarks));
    runKey = null;
    runText = '';
  };
  for (const n of nodes) {
    if (!isNode(n)) continue;
    const text = n.type === 'text' ? str(n.text) : null;
    if (text !== null) {
      const marks = markTypes(n);
      const key = JSON.stringify(marks);
      if (key !== runKey) flush();
      runKey = key;
      runMarks = marks;
      runText += text;
      continue;
    }
    flush();
    out.push(inlineNode(n, opts));
  }
  flush();
  return out.join('');
}

function inlineNode(n: AdfNode, opts: AdfOptions): string {
  const a = attrs(n);
  switch (n.type) {
    case 'hardBreak':
      return '\\\n';
    case 'status':
      return codeSpan(str(a.text) ?? '');
    case 'inlineCard': {
      const url = cardUrl(a);
      return url === null ? '' : `<${url.replace(/[\s<>]/g, encodeURIComponent)}>`;
    }
    case 'media':
    case 'mediaInline':
      return mediaPlaceholder(a, opts);
    case 'placeholder':
      return '';
    default:
      return escapeText(plainText(n));
  }
}
