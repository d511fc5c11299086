/**
 * RFC 8288 Link header → { rel: url }. Tolerates the vendor variants seen in the wild:
 * GitHub's `<u>; rel="next", <u>; rel="last"`, ServiceNow's `<u>;rel="next",<u>;rel="last"`
 * (no spaces) and unquoted rel values. URLs may contain commas, so split on `<`…`>` pairs.
 */
export function parseLinkHeader(value: string | undefined | null): Record<string, string> {
  const links: Record<string, string> = {};
  if (!value) return links;
  const re = /<([^>]*)>((?:\s*;\s*[^;,<]+)*)/g;
  for (const match of value.matchAll(re)) {
    const url = match[1] ?? '';
    const rel = /rel\s*=\s*"?([^";,]+)"?/i.exec(match[2] ?? '')?.[1];
    if (!rel) continue;
    for (const name of rel.trim().split(/\s+/)) links[name.toLowerCase()] = url;
  }
  return links;
}
