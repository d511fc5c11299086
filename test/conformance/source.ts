/**
 * What the conformance suite needs to know of a source: its connector module, how to stand up its
 * fake with some items, and how to read the fake's request log. One entry per source type in
 * sources.ts; everything else in test/conformance is the same for every source.
 */
import type { ConnectorModule, SourceType } from '../../src/connectors/connector.js';
import type { FakeRequest, VendorFake } from '../../src/sandbox/fakes/vendor-fake.js';

export interface FakeOptions {
  /** items in scope, each with a few comments */
  items: number;
  latencyMs?: number;
}

/** A started fake with its items, and the source_config that points at it. */
export interface SourceUnderTest {
  fake: VendorFake;
  /** source_config for this fake; `missing`: a scope (project, table, repository) that does not exist */
  config(o?: { missing?: boolean }): Record<string, unknown>;
  /** the job scope (CONTRACT §6) that config() names */
  scope: string;
  /** every item in scope: external_id → the external ids of its comments */
  expected(): Map<string, string[]>;
}

export interface ConformanceSource {
  type: SourceType;
  module: ConnectorModule;
  start(o: FakeOptions): Promise<SourceUnderTest>;
  /** Which page of the item listing a request asks for (a stable key), or null when it is not a listing page. */
  pageKey(r: FakeRequest): string | null;
  /** The items (external id or key) whose comments a request reads; [] for other requests. */
  commentsOf(r: FakeRequest): string[];
  /** What a job failed for paging that does not advance must name (the link, token or cursor). */
  pagingNoun: RegExp;
}
