import { describe, expect, it } from 'vitest';
import { parseLinkHeader } from '../../src/outbound/link-header.js';

describe('parseLinkHeader', () => {
  it.each([
    [
      'GitHub format (docs example)',
      '<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", <https://api.github.com/repositories/1300192/issues?page=4>; rel="next", <https://api.github.com/repositories/1300192/issues?page=515>; rel="last", <https://api.github.com/repositories/1300192/issues?page=1>; rel="first"',
      { prev: 'page=2', next: 'page=4', last: 'page=515', first: 'page=1' },
    ],
    [
      'ServiceNow capture (no spaces, negative offset)',
      '<https://x.service-now.com/api/now/table/incident?sysparm_limit=1&sysparm_offset=0>;rel="first",<https://x.service-now.com/api/now/table/incident?sysparm_limit=1&sysparm_offset=-1>;rel="prev",<https://x.service-now.com/api/now/table/incident?sysparm_limit=1&sysparm_offset=1>;rel="next"',
      { first: 'sysparm_offset=0', prev: 'sysparm_offset=-1', next: 'sysparm_offset=1' },
    ],
    ['unquoted rel and comma in URL', '<https://h/x?a=1,2&page=3>; rel=next', { next: 'a=1,2&page=3' }],
  ])('%s', (_name, header, expected) => {
    const links = parseLinkHeader(header);
    expect(Object.keys(links).sort()).toEqual(Object.keys(expected).sort());
    for (const [rel, fragment] of Object.entries(expected)) expect(links[rel]).toContain(fragment);
  });

  it('returns nothing for a missing header', () => {
    expect(parseLinkHeader(undefined)).toEqual({});
    expect(parseLinkHeader('')).toEqual({});
  });
});
