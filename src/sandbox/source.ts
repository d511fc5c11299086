/**
 * One simulated vendor of the sandbox, started with generated data: what an import needs to
 * reach it (base_url, scope, the fake's own credentials) and what a person should expect to see.
 */
import type { SourceType } from '../connectors/connector.js';

export interface SandboxSourceOptions {
  /** records to generate (issues, incidents) */
  items: number;
  /** 0: any free port */
  port: number;
  /** throttle or 429s that make the service pace itself (off: a plain fast server) */
  rateLimit: boolean;
}

export interface SandboxSource {
  type: SourceType;
  /** e.g. "Jira Cloud" */
  label: string;
  baseUrl: string;
  /** the `source_config` of POST /api/imports, credentials included (they are the fake's, not a vendor's) */
  sourceConfig: Record<string, unknown>;
  /** credential fields of sourceConfig: field → environment variable the CLI form reads it from */
  secretEnv: Record<string, string>;
  /** what the generated data holds, for the printed overview */
  items: number;
  /** records that fail on purpose, each with the reason the job will list */
  failing: { key: string; why: string }[];
  /** how this server limits requests, when it does */
  pacing: string | null;
  /** records stored on purpose with part of their comments, history or attachments missing (completeness partial), when any */
  partial?: string;
  /** requests served so far, and how many of them were refused for the rate limit */
  stats(): { requests: number; limited: number };
  close(): Promise<void>;
}

/** Some records fail on purpose; this many at most, spread through the data. */
export function failingIndexes(items: number, count: number): number[] {
  if (items < 10) return [];
  return Array.from({ length: count }, (_, k) => Math.floor(((k + 1) * items) / (count + 1)));
}
