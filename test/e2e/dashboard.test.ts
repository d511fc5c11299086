/**
 * The dashboard as a person uses it, in headless Chromium (Debian's `chromium`, driven by
 * playwright-core): the service (API + worker, API keys on) and sandbox vendors in this process,
 * the built UI from dist/ui. Asks for the key once, checks a connection, starts an import from
 * the form, watches its bar reach 100, opens the failed items, cancels a slow import, and
 * pauses, resumes and runs a sync. Writes a screenshot: docs/dashboard.png (which the README shows)
 * with UPDATE_SCREENSHOTS=1, else into the temp directory, so a test run leaves the tree clean.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectors } from '../../src/connectors/registry.js';
import { buildApp } from '../../src/http/app.js';
import { healthProbe } from '../../src/http/health-probe.js';
import { UI_DIR } from '../../src/http/ui.js';
import type { SandboxSource } from '../../src/sandbox/source.js';
import { startGithub } from '../../src/sandbox/sources/github.js';
import { startJira } from '../../src/sandbox/sources/jira.js';
import { startHarness, type Harness } from '../support/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const KEY = 'e2e-dashboard-key';
const SCREENSHOT = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/dashboard.png' : join(tmpdir(), `dashboard-${process.pid}.png`);

let harness: Harness;
let app: FastifyInstance;
let base: string;
let jira: SandboxSource;
let github: SandboxSource;
let browser: Browser;
let page: Page;

/** The service's own API, with the key, for setting up and for checking what the UI claims. */
async function apiCall(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A text field by its accessible name (a required field's visual "*" is not part of it). */
async function fill(name: string, value: string): Promise<void> {
  await page.getByRole('textbox', { name, exact: true }).fill(value);
}

/** Password inputs have no ARIA role: found by their label. */
async function fillSecret(label: string, value: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).fill(value);
}

/** Every control on the page has an accessible name (from Chromium's accessibility tree). */
async function expectNamedControls(): Promise<void> {
  const tree = await page.locator('body').ariaSnapshot();
  const unnamed = tree.split('\n').filter((line) => /^\s*- (button|link|textbox|combobox|checkbox|progressbar)\s*(\[[^\]]*\])?\s*(:.*)?$/.test(line));
  expect(unnamed, tree).toEqual([]);
  expect(tree).toMatch(/- (button|link) "/);
}

const nav = (name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true });
const bar = () => page.getByRole('progressbar', { name: 'Import progress' });
const statusOf = async () => (await page.locator('.badge').first().textContent())?.trim();
const jobIdFromUrl = () => /\/ui\/jobs\/([0-9a-f-]{36})$/.exec(new URL(page.url()).pathname)![1]!;

// A newcomer's `npm test` without a browser skips this file, saying why; CI (REQUIRE_E2E=1, set by
// .ci/run after installing chromium) fails instead, so a broken install never passes unseen.
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.REQUIRE_E2E === '1') {
  throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does this when it is absent`);
}
if (!haveChromium) console.warn(`dashboard e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.skipIf(!haveChromium)('dashboard in Chromium', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    if (!existsSync(`${UI_DIR}/index.html`)) execFileSync('npx', ['vite', 'build', 'ui', '--logLevel', 'warn'], { stdio: 'inherit' });

    [jira, github] = await Promise.all([
      startJira({ items: 40, port: 0, rateLimit: false }),
      // Paced to a few requests a second: slow enough to cancel while it runs.
      startGithub({ items: 400, port: 0, rateLimit: true }),
    ]);
    harness = await startHarness({ connectors, env: { SOURCE_ALLOWED_HOSTS: '127.0.0.1' } });
    const d = harness.deps;
    app = await buildApp({
      jobs: d.jobs, items: d.store, health: healthProbe(d.apiRedis, d.store), connectors: d.connectors, metrics: d.metrics,
      apiKeys: new Map([[KEY, 'e2e']]), version: 'e2e', environment: 'test', logger: d.logger, policy: d.policy.api, syncs: d.syncs,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 860 } });
    page.setDefaultTimeout(30_000);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await harness?.cleanup();
    await Promise.all([jira?.close(), github?.close()]);
  });

  it('asks for the API key once, refuses a wrong one, and keeps the right one for the session', async () => {
    await page.goto(`${base}/ui/`);
    const dialog = page.getByRole('dialog', { name: 'API key needed' });
    await dialog.waitFor();
    await expectNamedControls();
    await fillSecret('API key', 'not-a-key');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByText('The service refused that key').waitFor();
    await fillSecret('API key', KEY);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('No imports yet').waitFor();

    await page.reload();
    await page.getByText('No imports yet').waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    // Kept in sessionStorage, not in a cookie or the URL.
    expect(await page.evaluate(() => sessionStorage.getItem('integration-service.api-key'))).toBe(KEY);
    expect(page.url()).not.toContain(KEY);
  });

  it('checks the connection, starts an import from the form, and the bar reaches 100 live', async () => {
    await nav('New import').click();
    await page.getByLabel('Source', { exact: true }).selectOption('jira');
    const cfg = jira.sourceConfig as Record<string, string>;
    await fill('Base URL', cfg['base_url']!);
    await fill('Project key', cfg['project_key']!);
    await fill('Email (Cloud)', cfg['email']!);
    await fillSecret('API token (Cloud)', cfg['api_token']!);
    expect(await page.getByLabel('API token (Cloud)').getAttribute('type')).toBe('password');

    await expectNamedControls();
    await page.getByRole('button', { name: 'Check connection' }).click();
    await page.getByRole('status').getByText('Connection works: 40 items to import.').waitFor();
    // A dry run stores nothing.
    expect((await apiCall('GET', '/api/items?limit=5')).items).toHaveLength(0);

    await page.getByRole('button', { name: 'Start import' }).click();
    await page.waitForURL(/\/ui\/jobs\/[0-9a-f-]{36}$/);
    const jobId = jobIdFromUrl();
    expect(await bar().getAttribute('aria-valuemin')).toBe('0');
    expect(await bar().getAttribute('aria-valuemax')).toBe('100');
    // The page is never reloaded: only the event stream can bring it to 100.
    await expect.poll(() => bar().getAttribute('aria-valuenow'), { timeout: 60_000, interval: 100 }).toBe('100');
    await expect.poll(statusOf, { timeout: 10_000 }).toBe('completed');

    const job = await apiCall('GET', `/api/imports/${jobId}`);
    expect(job).toMatchObject({ status: 'completed', progress: { total_items: 40, failed_items: 1 } });
    const counts = await page.locator('.counts').innerText();
    expect(counts).toMatch(/Total\s+40/);
    expect(counts).toMatch(/Failed\s+1/);
    // The sandbox's long changelogs come cut: those items are stored, and counted as partial.
    expect(job.progress.partial_items).toBeGreaterThan(0);
    expect(counts).toMatch(new RegExp(`Partial\\s+${job.progress.partial_items}`));
  });

  it('opens the failed items and shows why each one failed', async () => {
    await page.getByText('Failed items (1)').click();
    const row = page.getByRole('row', { name: new RegExp(jira.failing[0]!.key) });
    await row.waitFor();
    expect(await row.innerText()).toContain('ITEM_TOO_LARGE');
    await expectNamedControls();
    await page.screenshot({ path: SCREENSHOT, clip: { x: 0, y: 0, width: 1200, height: 540 } });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it('cancels a running import', async () => {
    await nav('New import').click();
    await page.getByLabel('Source', { exact: true }).selectOption('github');
    const cfg = github.sourceConfig as Record<string, string>;
    await fill('API URL', cfg['base_url']!);
    await fill('Owner', cfg['owner']!);
    await fill('Repository', cfg['repo']!);
    await fillSecret('Token', cfg['token']!);
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.waitForURL(/\/ui\/jobs\/[0-9a-f-]{36}$/);
    const jobId = jobIdFromUrl();
    await expect.poll(statusOf, { timeout: 30_000 }).toBe('processing');

    await expectNamedControls();
    await page.getByRole('button', { name: 'Cancel import' }).click();
    await expect.poll(statusOf, { timeout: 30_000 }).toBe('cancelled');
    expect(await page.getByRole('button', { name: 'Cancel import' }).count()).toBe(0);
    expect((await apiCall('GET', `/api/imports/${jobId}`)).status).toBe('cancelled');
    expect(Number(await bar().getAttribute('aria-valuenow'))).toBeLessThan(100);
  });

  it('lists the jobs newest first with their live status', async () => {
    await nav('Imports').click();
    const rows = page.locator('table.jobs tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    await expectNamedControls();
    const { jobs } = await apiCall('GET', '/api/imports');
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-job-id')));
    expect(shown).toEqual(jobs.map((j: { job_id: string }) => j.job_id));
    expect(await rows.nth(0).innerText()).toContain('cancelled');
    expect(await rows.nth(1).innerText()).toContain('completed');
    // The form's connection check is listed as what it was.
    expect(await rows.nth(2).innerText()).toContain('connection check');
    expect(await rows.nth(1).innerText()).not.toContain('connection check');
    // A job's link opens its page.
    await rows.nth(1).getByRole('link').click();
    await page.waitForURL(`${base}/ui/jobs/${jobs[1].job_id}`);
    await expect.poll(() => bar().getAttribute('aria-valuenow')).toBe('100');
  });

  it('pauses, resumes and runs a sync', async () => {
    const sync = await apiCall('POST', '/api/syncs', {
      source_type: 'jira', source_config: jira.sourceConfig, schedule: { every_seconds: 3600 },
    });
    // Its first run starts on its own; "run now" is refused while a run is active.
    await expect
      .poll(async () => (await apiCall('GET', `/api/syncs/${sync.sync_id}`)).last_status, { timeout: 60_000 })
      .toBe('completed');

    await nav('Syncs').click();
    const name = `jira ${sync.source.scope}`;
    await page.getByRole('button', { name: `Pause sync ${name}` }).waitFor();
    await expectNamedControls();
    await page.getByRole('button', { name: `Pause sync ${name}` }).click();
    await page.getByRole('button', { name: `Resume sync ${name}` }).waitFor();
    expect((await apiCall('GET', `/api/syncs/${sync.sync_id}`)).status).toBe('paused');
    await page.getByRole('button', { name: `Resume sync ${name}` }).click();
    await page.getByRole('button', { name: `Pause sync ${name}` }).waitFor();
    expect((await apiCall('GET', `/api/syncs/${sync.sync_id}`)).status).toBe('active');

    await page.getByRole('button', { name: `Run sync ${name} now` }).click();
    await page.waitForURL(/\/ui\/jobs\/[0-9a-f-]{36}$/);
    const run = await apiCall('GET', `/api/imports/${jobIdFromUrl()}`);
    expect(run.sync_id).toBe(sync.sync_id);
    await expect.poll(statusOf, { timeout: 60_000 }).toBe('completed');
  });
});
