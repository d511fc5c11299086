/**
 * Security test kit: distinctive credentials, every form they could leak in, and a place that
 * collects everything the service writes outside the source (log lines, API responses, Redis
 * values, database rows, requests that reached a host they were redirected to).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { closeServer, listenLoopback } from '../../src/sandbox/fakes/loopback.js';

/** Every secret carries MARKER, so even a truncated copy (an error cut at N characters) is caught. */
export const MARKER = 'Qx7LeakMark';
export const SECRETS = {
  jiraToken: `jira-tok-${MARKER}-a1b2c3d4e5`,
  jiraPat: `jira-pat-${MARKER}-f6a7b8c9d0`,
  snPassword: `sn-pass-${MARKER}-Pw0rd9`,
  snToken: `sn-oauth-${MARKER}-e1f2a3b4`,
  githubToken: `ghp_${MARKER}0123456789abcdefABCD`,
  gitlabToken: `glpat-${MARKER}-0123456789`,
  /** Wrong credentials are credentials too: the user's typo of the real one. */
  wrongJiraToken: `jira-bad-${MARKER}-0000`,
  wrongSnPassword: `sn-bad-${MARKER}-0000`,
  wrongGithubToken: `ghp_bad${MARKER}0000000000000000`,
  wrongGitlabToken: `glpat-bad-${MARKER}-0000`,
  apiKey: `api-key-${MARKER}-000000000000`,
};
export const JIRA_EMAIL = 'sec.audit@example.com';
export const SN_USER = 'sec.audit';

/**
 * Substrings that appear in ANY base64 text that encodes `secret`, whatever precedes it (a Basic
 * header encodes `user:secret`): one per byte alignment, without the edge characters that depend
 * on the neighbours.
 */
export function base64Cores(secret: string): string[] {
  return [0, 1, 2].map((pad) => {
    const b64 = Buffer.from('\0'.repeat(pad) + secret).toString('base64');
    const start = Math.ceil((pad * 4) / 3) + 1;
    return b64.slice(start, b64.length - 4);
  });
}

/** Every needle a leak could take: the marker, each secret, their base64 forms (Basic auth). */
export function needles(): string[] {
  const secrets = Object.values(SECRETS);
  return [MARKER, ...secrets, ...secrets.flatMap(base64Cores), ...base64Cores(MARKER)];
}

/** What each collected text leaks, as "<where>: <needle>"; empty when nothing does. */
export function findLeaks(texts: Map<string, string>): string[] {
  const all = needles();
  const found: string[] = [];
  for (const [where, text] of texts) {
    for (const n of all) if (text.includes(n)) found.push(`${where}: ${n}`);
  }
  return found;
}

/** Gathers texts by label; the same label twice keeps both. */
export class Collected {
  readonly texts = new Map<string, string>();
  add(where: string, text: string): void {
    const prev = this.texts.get(where);
    this.texts.set(where, prev === undefined ? text : `${prev}\n${text}`);
  }
}

/**
 * A host that answers every request with a redirect to `collector` (another origin), and the
 * collector, which records the headers it got and refuses with 401: a source redirected there must
 * not bring its credentials along.
 */
export async function redirectTrap(): Promise<{
  origin: string;
  received: IncomingHttpHeaders[];
  close(): Promise<void>;
}> {
  const received: IncomingHttpHeaders[] = [];
  const collector = await listenLoopback((req, res) => {
    received.push(req.headers);
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"401 Unauthorized"}');
  });
  const otherOrigin = collector.origin.replace('127.0.0.1', 'localhost');
  const front = await listenLoopback((req, res) => {
    res.writeHead(307, { location: `${otherOrigin}${req.url ?? '/'}` }).end();
  });
  return {
    origin: front.origin,
    received,
    async close() {
      await closeServer(front.server);
      await closeServer(collector.server);
    },
  };
}
