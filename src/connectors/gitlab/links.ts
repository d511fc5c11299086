/** Reading GitLab's paging headers (docs.gitlab.com/api/rest/#pagination). */
import type { SourceResponse } from '../../outbound/types.js';
import { parseLinkHeader } from '../../outbound/link-header.js';

/**
 * The next page's URL: rel="next", else x-next-page applied to this URL. The link is moved onto
 * the configured instance origin, so a misconfigured external_url (http:// behind a TLS proxy,
 * an internal host name) neither breaks paging nor receives the token.
 */
export function nextPageUrl(res: SourceResponse, instanceOrigin: string): string | null {
  const link = parseLinkHeader(res.headers.link).next;
  let next: URL | null = link ? new URL(link, res.url) : null;
  const nextPage = res.headers['x-next-page']?.trim();
  if (!next && nextPage) {
    next = new URL(res.url);
    next.searchParams.set('page', nextPage);
  }
  if (!next) return null;
  return next.origin === instanceOrigin ? next.toString() : `${instanceOrigin}${next.pathname}${next.search}`;
}

export function intHeader(res: SourceResponse, name: string): number | null {
  const v = res.headers[name]?.trim();
  return v && /^\d+$/.test(v) ? Number(v) : null;
}
