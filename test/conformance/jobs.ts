/**
 * Running conformance cases through the real jobs core: one harness (Redis, PGlite, BullMQ
 * worker) per test file with every source's real connector module, jobs started against a fake,
 * and what the store and the fake's request log say afterwards.
 */
import type { JobRecord } from '../../src/jobs/types.js';
import type { WorkItem } from '../../src/store/types.js';
import { startSourceHarness, type Harness } from '../support/harness.js';
import type { FakeRequest } from '../../src/sandbox/fakes/vendor-fake.js';
import type { ConformanceSource, SourceUnderTest } from './source.js';
import { SOURCES } from './sources.js';

export const BATCH = 20;

/**
 * Retries back off in milliseconds (the harness's policy); everything else as in production. The
 * store answers one query first: PGlite's first query compiles for seconds on a loaded machine,
 * long enough for the first job's lock to lapse (seen: that job run twice, current_batch doubled).
 */
export async function startConformanceHarness(opts: { postgres?: boolean } = {}): Promise<Harness> {
  const h = await startSourceHarness(SOURCES.map((s) => s.module), opts);
  await h.deps.store.listItems({ tenantId: null, limit: 1 });
  return h;
}

const ctx = { tenantId: null, requestId: 'req-conformance', correlationId: null, idempotencyKey: null };

export async function createJob(h: Harness, source: ConformanceSource, sut: SourceUnderTest, o: { missing?: boolean } = {}): Promise<JobRecord> {
  const body = { source_type: source.type, source_config: sut.config(o), options: { batch_size: BATCH } };
  return (await h.deps.jobs.create(body, ctx)).job;
}

export async function runJob(h: Harness, source: ConformanceSource, sut: SourceUnderTest, o: { missing?: boolean } = {}): Promise<JobRecord> {
  return h.waitFor((await createJob(h, source, sut, o)).job_id, undefined, 60_000);
}

/** Items of this fake in the store (other fakes of the file live on other ports). */
export async function storedItems(h: Harness, source: ConformanceSource, sut: SourceUnderTest): Promise<WorkItem[]> {
  const page = await h.deps.store.listItems({ tenantId: null, limit: 1000, source_type: source.type });
  const host = new URL(String(sut.config().base_url)).host;
  return page.items.filter((i) => i.source_instance === host);
}

/** external_id → sorted comment ids, of what the store holds. */
export function commentMap(items: WorkItem[]): Map<string, string[]> {
  return new Map(items.map((i) => [i.external_id, i.comments.map((c) => c.external_id).sort()]));
}

export function sortedValues(expected: Map<string, string[]>): Map<string, string[]> {
  return new Map([...expected].map(([id, comments]) => [id, [...comments].sort()]));
}

/** The listing pages the fake was asked for, in arrival order. */
export function listingPages(source: ConformanceSource, requests: FakeRequest[]): FakeRequest[] {
  return requests.filter((r) => source.pageKey(r) !== null).sort((a, b) => a.at - b.at);
}

/** The worker has let go of the job (BullMQ no longer has it active or waiting). */
export async function settled(h: Harness, jobId: string): Promise<void> {
  for (let i = 0; i < 800; i++) {
    if (!['active', 'waiting', 'delayed'].includes(await h.deps.queue.getJobState(jobId))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${jobId} still running`);
}

export const byType = SOURCES.map((s) => [s.type, s] as const);
