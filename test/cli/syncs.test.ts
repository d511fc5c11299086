/**
 * `syncs list|create|pause|resume|run` send the CONTRACT §11 requests. This branch's app has no
 * /api/syncs yet, so the CLI talks to a stand-in that records what it receives and answers as §11
 * says; against the real API these commands are to be tested once both are merged.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support.js';

const SYNC_ID = '0d9f0a3e-5d3c-4b6e-9a53-2f0b8f7c1a11';
const JOB_ID = '7c1f5a2e-1b2c-4d3e-8f9a-0b1c2d3e4f5a';

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  body: unknown;
}

function sync(status: string) {
  return {
    sync_id: SYNC_ID, status, source_type: 'github', source: { base_url: 'https://api.github.com', scope: 'octo-org/hello-world' },
    schedule: { every_seconds: 900, full_every_seconds: 86_400 }, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
    last_job_id: null, last_run_at: null, last_status: null, next_run_at: '2026-01-01T00:15:00Z', consecutive_failures: 0,
    webhook_url: `http://127.0.0.1/api/webhooks/${SYNC_ID}`, tenant_id: null,
  };
}

async function body(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : null;
}

describe('syncs commands (against a §11 stand-in)', { timeout: 120_000 }, () => {
  let server: Server;
  let url: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const entry = { method: req.method!, url: req.url!, auth: req.headers.authorization, body: await body(req) };
      seen.push(entry);
      const send = (status: number, data: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(data));
      if (req.method === 'POST' && req.url === '/api/syncs') return send(201, { ...sync('active'), webhook_secret: 'whsec_shown_once' });
      if (req.method === 'GET' && req.url === '/api/syncs') return send(200, { syncs: [sync('active')], next_cursor: null });
      if (req.method === 'PATCH' && req.url === `/api/syncs/${SYNC_ID}`) return send(200, sync((entry.body as { status: string }).status));
      if (req.method === 'POST' && req.url === `/api/syncs/${SYNC_ID}/run`) return send(202, { job_id: JOB_ID, status: 'pending' });
      send(404, { error_code: 'SYNC_NOT_FOUND', error_message: 'no such sync', details: [], request_id: 'r' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise((resolve) => server?.close(resolve)));

  it('create sends the source flags, the secret from the environment and the schedule; list, pause, resume and run', async () => {
    const env = { GH_TOKEN: 'ghp_syncToken123', MY_KEY: 'key-123' };
    const created = await cli(
      ['--server', url, '--api-key-env', 'MY_KEY', 'syncs', 'create', 'github', '--owner', 'octo-org', '--repo', 'hello-world',
        '--token-env', 'GH_TOKEN', '--every', '15m', '--full-every', '1d', '--batch-size', '50'],
      env,
    ).done;
    expect(created.code, created.stderr).toBe(0);
    expect(seen.at(-1)).toEqual({
      method: 'POST', url: '/api/syncs', auth: 'Bearer key-123',
      body: {
        source_type: 'github', source_config: { owner: 'octo-org', repo: 'hello-world', token: 'ghp_syncToken123' },
        options: { batch_size: 50 }, schedule: { every_seconds: 900, full_every_seconds: 86_400 },
      },
    });
    expect(created.stdout).toContain(`created sync ${SYNC_ID}`);
    expect(created.stdout).toContain('webhook secret: whsec_shown_once');
    expect(created.stdout + created.stderr).not.toContain('ghp_syncToken123');

    const list = await cli(['--server', url, 'syncs', 'list']).done;
    expect(list.stdout).toMatch(new RegExp(`^${SYNC_ID}\\s+active\\s+github\\s+octo-org/hello-world\\s+15m00s`, 'm'));
    const pause = await cli(['--server', url, 'syncs', 'pause', SYNC_ID]).done;
    expect(pause.code, pause.stderr).toBe(0);
    expect(seen.at(-1)).toMatchObject({ method: 'PATCH', url: `/api/syncs/${SYNC_ID}`, body: { status: 'paused' } });
    const resume = await cli(['--server', url, 'syncs', 'resume', SYNC_ID, '--json']).done;
    expect(JSON.parse(resume.stdout).status).toBe('active');
    expect(seen.at(-1)).toMatchObject({ method: 'PATCH', body: { status: 'active' } });
    const run = await cli(['--server', url, 'syncs', 'run', SYNC_ID]).done;
    expect(run.stdout).toContain(`started job ${JOB_ID}`);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: `/api/syncs/${SYNC_ID}/run` });
    const missing = await cli(['--server', url, 'syncs', 'pause', 'nope']).done;
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/404 SYNC_NOT_FOUND/);
  });

  it('a secret on the command line and a bad --every are refused before anything is sent', async () => {
    const before = seen.length;
    const secret = await cli(['--server', url, 'syncs', 'create', 'github', '--owner', 'o', '--repo', 'r', '--token', 'zzz-secret', '--every', '60']).done;
    expect(secret.code).toBe(3);
    expect(secret.stderr).toMatch(/--token-env NAME/);
    expect(secret.stderr).not.toContain('zzz-secret');
    const every = await cli(['--server', url, 'syncs', 'create', 'github', '--owner', 'o', '--repo', 'r', '--every', 'often']).done;
    expect(every.code).toBe(3);
    expect(every.stderr).toMatch(/--every takes seconds or a duration/);
    expect(seen.length).toBe(before);
  });
});
