/**
 * GitHub has no attachment API: a file dropped into an issue or comment is uploaded and linked in its
 * Markdown (https://docs.github.com/get-started/writing-on-github/working-with-advanced-formatting/attaching-files):
 * `![name](https://github.com/user-attachments/assets/<uuid>)` for images and videos (a video is a bare URL
 * line), `[name](https://github.com/user-attachments/files/<id>/<name>)` for other files, `<img … src="…">`
 * once resized, and in older issues `https://github.com/<owner>/<repo>/assets/<id>/<uuid>` and
 * `https://user-images.githubusercontent.com/…`. This module finds those links (pure, linear time).
 * Name: the link text or alt text, else the last path segment. Size and media type are unknown until
 * downloaded (null). Author and time: the or comment's. external_id: the URL's path. The source
 * URL keeps no query (private-user-images URLs carry a signed token there) and no fragment.
 */
import type { Attachment } from '../item-depth.js';
import type { Person } from '../connector.js';

export interface TextSource {
  text: string | null | undefined;
  author: Person | null;
  created_at: string | null;
}

const LEGACY_HOSTS = new Set(['user-images.githubusercontent.com', 'private-user-images.githubusercontent.com']);

/** The web origin uploads live on: github.com for api.github.com, the host itself for GHES (/api/v3) and fakes. */
export function webOrigin(apiBaseUrl: string): string {
  const u = new URL(apiBaseUrl);
  return u.hostname === 'api.github.com' ? 'https://github.com' : u.origin;
}

/** Whether a URL is an upload: on the web origin under user-attachments or a repository's assets, or on the legacy image hosts. */
export function uploadUrl(raw: string, web: string): URL | null {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  if (LEGACY_HOSTS.has(u.hostname)) return /^\/\d+\/[^/]+$/.test(u.pathname) ? u : null;
  if (u.origin !== web) return null;
  const upload = /^\/user-attachments\/(?:assets\/[0-9a-f-]{8,}|files\/\d+\/[^/]+)$/.test(u.pathname) || /^\/[^/]+\/[^/]+\/assets\/\d+\/[0-9a-f-]{8,}$/.test(u.pathname);
  return upload ? u : null;
}

// Bounded quantifiers and no nested repetition: each pattern runs in linear time on any input.
const MD_LINK = /(!?)\[([^\]\n]{0,300})\]\(\s*<?(https?:\/\/[^\s)>]{1,2000})>?(?:\s+"[^"\n]{0,300}")?\s*\)/g;
const IMG_TAG = /<img\b[^>]{0,4000}>/gi;
const BARE_URL = /https?:\/\/[^\s<>()"'\]]{1,2000}/g;

function attr(tag: string, name: string): string | null {
  const m = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3] ?? null) : null;
}

function lastSegment(u: URL): string {
  const seg = u.pathname.split('/').filter(Boolean).pop() ?? 'attachment';
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

/** The uploads linked in these texts (issue body first, then comments), each once, first mention wins. */
export function parseAttachments(sources: TextSource[], web: string): Attachment[] {
  const out: Attachment[] = [];
  const seen = new Set<string>();
  for (const src of sources) {
    const text = src.text ?? '';
    if (!text.includes('://')) continue;
    const found: { at: number; url: URL; name: string | null }[] = [];
    const add = (at: number, raw: string, name: string | null) => {
      const u = uploadUrl(raw, web);
      if (u) found.push({ at, url: u, name: name && name.trim() !== '' ? name.trim() : null });
    };
    for (const m of text.matchAll(MD_LINK)) add(m.index, m[3]!, m[2] ?? null);
    for (const m of text.matchAll(IMG_TAG)) {
      const src = attr(m[0], 'src');
      if (src) add(m.index, src, attr(m[0], 'alt'));
    }
    // Bare URLs (videos, pasted links) name nothing; the forms above name theirs and come first.
    for (const m of text.matchAll(BARE_URL)) add(m.index, m[0].replace(/[.,;:!?]+$/, ''), null);
    found.sort((a, b) => a.at - b.at);
    const keyOf = (u: URL) => `${u.host}${u.pathname}`;
    const names = new Map<string, string>();
    for (const f of found) if (f.name !== null && !names.has(keyOf(f.url))) names.set(keyOf(f.url), f.name);
    for (const f of found) {
      const key = keyOf(f.url);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        external_id: f.url.origin === web ? f.url.pathname : `${f.url.hostname}${f.url.pathname}`,
        name: names.get(key) ?? lastSegment(f.url),
        size: null,
        media_type: null,
        author: src.author,
        created_at: src.created_at,
        source_url: `${f.url.origin}${f.url.pathname}`,
        content: null,
      });
    }
  }
  return out;
}
