/**
 * Atlassian Document Format (Jira Cloud rich text) → Markdown.
 * Structure: https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
 * Nodes: https://developer.atlassian.com/cloud/jira/platform/apis/document/nodes/ (and the
 * adf-builder reference at https://developer.atlassian.com/platform/framework/adf-builder/reference/nodes/).
 *
 * Input is untrusted JSON: wrong types are skipped, unknown nodes degrade to their text, and the
 * recursive block renderer stops at MAX_DEPTH and hands the rest of the subtree to the iterative
 * plainText(), so neither 100k-deep nesting nor huge arrays can overflow the stack or go quadratic.
 */
import {
  type AdfNode,
  type AdfOptions,
  attrs,
  children,
  isNode,
  mediaPlaceholder,
  plainText,
  renderInline,
  str,
} from './adf-inline.js';
import { codeFence, escapeLineStarts, escapeText, indentLines, joinBlocks, quote, table } from '../markdown.js';

export type { AdfOptions } from './adf-inline.js';

const MAX_DEPTH = 40;

const BLOCK_TYPES = new Set([
  'paragraph', 'heading', 'bulletList', 'orderedList', 'taskList', 'decisionList', 'codeBlock', 'blockquote',
  'panel', 'rule', 'table', 'mediaSingle', 'mediaGroup', 'blockCard', 'embedCard', 'expand', 'nestedExpand',
  'layoutSection', 'layoutColumn', 'bodiedExtension', 'extension',
]);

// GitHub alert syntax: renders as a callout there and degrades to a plain quote elsewhere.
const PANEL_LABEL: Record<string, string> = {
  info: 'NOTE', note: 'NOTE', success: 'TIP', warning: 'WARNING', error: 'CAUTION', tip: 'TIP',
};

/** ADF document (or any ADF node) → Markdown. Non-ADF input gives ''. */
export function adfToMarkdown(doc: unknown, opts: AdfOptions = {}): string {
  if (!isNode(doc)) return '';
  return renderBlock(doc, 0, opts).trim();
}

function renderBlocks(nodes: unknown[], depth: number, opts: AdfOptions): string {
  return joinBlocks(nodes.filter(isNode).map((n) => renderBlock(n, depth, opts)));
}

function renderBlock(n: AdfNode, depth: number, opts: AdfOptions): string {
  if (depth > MAX_DEPTH) return escapeLineStarts(escapeText(plainText(n)));
  const d = depth + 1;
  const a = attrs(n);
  switch (n.type) {
    case 'paragraph':
      return escapeLineStarts(renderInline(children(n), opts));
    case 'heading': {
      const level = Math.min(6, Math.max(1, Math.trunc(Number(a.level)) || 1));
      return `${'#'.repeat(level)} ${renderInline(children(n), opts).replace(/\\?\n/g, ' ')}`;
    }
    case 'bulletList':
    case 'orderedList':
    case 'taskList':
    case 'decisionList':
      return renderList(n, d, opts);
    case 'codeBlock':
      return codeFence(plainText({ content: children(n) }), str(a.language));
    case 'blockquote':
      return quote(renderBlocks(children(n), d, opts));
    case 'panel': {
      const type = String(a.panelType);
      const label = Object.hasOwn(PANEL_LABEL, type) ? PANEL_LABEL[type] : undefined;
      const body = renderBlocks(children(n), d, opts);
      return quote(label === undefined ? body : `[!${label}]\n${body}`);
    }
    case 'rule':
      return '---';
    case 'table':
      return renderTable(n, d, opts);
    case 'media':
      return mediaPlaceholder(a, opts);
    case 'mediaSingle':
    case 'mediaGroup':
      return children(n)
        .filter(isNode)
        .map((m) => (m.type === 'media' ? mediaPlaceholder(attrs(m), opts) : renderBlock(m, d, opts)))
        .filter((s) => s !== '')
        .join('\n');
    case 'blockCard':
    case 'embedCard':
      return renderInline([{ ...n, type: 'inlineCard' }], opts);
    case 'expand':
    case 'nestedExpand': {
      const title = str(a.title);
      return joinBlocks([title === null ? '' : `**${escapeText(title)}**`, renderBlocks(children(n), d, opts)]);
    }
    default:
      return renderContainer(n, d, opts);
  }
}

/** doc, layouts, extensions and unknown nodes: their blocks, or their inline text. */
function renderContainer(n: AdfNode, depth: number, opts: AdfOptions): string {
  const kids = children(n);
  if (kids.some((k) => isNode(k) && BLOCK_TYPES.has(String(k.type)))) return renderBlocks(kids, depth, opts);
  if (kids.length > 0) return escapeLineStarts(renderInline(kids, opts));
  return escapeLineStarts(escapeText(plainText(n)));
}

function renderList(n: AdfNode, depth: number, opts: AdfOptions): string {
  const start = Math.max(0, Math.trunc(Number(attrs(n).order)) || 1);
  const items = children(n).filter(isNode);
  return items
    .map((item, i) => {
      const marker =
        n.type === 'orderedList'
          ? `${start + i}. `
          : n.type === 'taskList' && item.type === 'taskItem'
            ? attrs(item).state === 'DONE' ? '- [x] ' : '- [ ] '
            : '- ';
      const body = renderListItem(item, depth, opts);
      return indentLines(body, marker, ' '.repeat(marker.length));
    })
    .join('\n');
}

/** A list item's blocks; a nested list follows its paragraph directly so the list stays tight. */
function renderListItem(item: AdfNode, depth: number, opts: AdfOptions): string {
  const kids = children(item).filter(isNode);
  if (!kids.some((k) => BLOCK_TYPES.has(String(k.type)))) return escapeLineStarts(renderInline(kids, opts));
  let out = '';
  for (const k of kids) {
    const text = renderBlock(k, depth, opts);
    if (text.trim() === '') continue;
    // CommonMark lets only a bullet list or an ordered list starting at 1 interrupt a paragraph.
    const tight = /List$/.test(String(k.type)) && (k.type !== 'orderedList' || /^1\. /.test(text));
    out += out === '' ? text : `${tight ? '\n' : '\n\n'}${text}`;
  }
  return out;
}

/** Columns that colspan may add to a row: past this, a hostile row of wide cells would multiply the output by 100. */
const MAX_SPANNED_COLUMNS = 1000;

function renderTable(n: AdfNode, depth: number, opts: AdfOptions): string {
  const rows = children(n)
    .filter(isNode)
    .map((row) => {
      const cells: string[] = [];
      for (const cell of children(row).filter(isNode)) {
        const span = Math.min(100, Math.max(1, Math.trunc(Number(attrs(cell).colspan)) || 1));
        cells.push(renderBlocks(children(cell), depth, opts).replace(/\\\n/g, '<br>').replace(/\n+/g, '<br>'));
        for (let i = 1; i < span && cells.length < MAX_SPANNED_COLUMNS; i++) cells.push('');
      }
      return cells;
    });
  return table(rows);
}
