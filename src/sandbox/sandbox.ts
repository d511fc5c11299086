/**
 * The sandbox: the four simulated vendors on 127.0.0.1, each with generated data, some records
 * that fail on purpose and, where the vendor has one, a rate limit the import must respect.
 */
import type { SourceType } from '../connectors/connector.js';
import type { SandboxSource, SandboxSourceOptions } from './source.js';
import { startGithub } from './sources/github.js';
import { startGitlab } from './sources/gitlab.js';
import { startJira } from './sources/jira.js';
import { startServicenow } from './sources/servicenow.js';

/** In this order; with a port base, each takes the next port. */
export const SANDBOX_SOURCES: readonly SourceType[] = ['jira', 'servicenow', 'github', 'gitlab'];

const STARTERS: Record<SourceType, (o: SandboxSourceOptions) => Promise<SandboxSource>> = {
  jira: startJira, servicenow: startServicenow, github: startGithub, gitlab: startGitlab,
};

export interface SandboxOptions {
  /** records per vendor */
  items: number;
  /** jira at portBase, servicenow +1, github +2, gitlab +3; unset: free ports */
  portBase?: number;
  /** per-vendor ports, over portBase */
  ports?: Partial<Record<SourceType, number>>;
  rateLimit?: boolean;
}

export interface Sandbox {
  sources: SandboxSource[];
  close(): Promise<void>;
}

export async function startSandbox(o: SandboxOptions): Promise<Sandbox> {
  const sources: SandboxSource[] = [];
  const close = async () => {
    await Promise.all(sources.map((s) => s.close()));
  };
  try {
    for (const [i, type] of SANDBOX_SOURCES.entries()) {
      const port = o.ports?.[type] ?? (o.portBase === undefined ? 0 : o.portBase + i);
      sources.push(await STARTERS[type]({ items: o.items, port, rateLimit: o.rateLimit ?? true }).catch((err: unknown) => {
        throw portError(err, type, port);
      }));
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { sources, close };
}

/** A port that cannot be taken, named with the vendor it was for. */
function portError(err: unknown, type: SourceType, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new Error(`the ${type} server cannot listen on 127.0.0.1:${port}: the port is in use`);
  if (code === 'EACCES') return new Error(`the ${type} server cannot listen on 127.0.0.1:${port}: not allowed (EACCES)`);
  return err;
}
