/** A small closed-loop HTTP load generator: `concurrency` clients sending back to back for `ms`. */
import { Pool } from 'undici';

export interface LoadResult {
  rps: number;
  errors: number;
  /** answers with status 200 */
  done: number;
  /** CPU time of this whole process (load generator and any server in it) over the run, ms */
  cpuMs: number;
}

/** Connections kept open across runs, so short runs that alternate between servers pay no connection setup. */
export interface LoadClient {
  run(path: string, ms: number): Promise<LoadResult>;
  close(): Promise<void>;
}

export function loadClient(origin: string, concurrency = 32): LoadClient {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  return {
    async run(path, ms) {
      let done = 0;
      let errors = 0;
      const until = Date.now() + ms;
      const client = async () => {
        while (Date.now() < until) {
          const res = await pool.request({ path, method: 'GET' });
          await res.body.arrayBuffer();
          if (res.statusCode === 200) done++;
          else errors++;
        }
      };
      const cpu = process.cpuUsage();
      const started = Date.now();
      await Promise.all(Array.from({ length: concurrency }, client));
      const seconds = (Date.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      return { rps: done / seconds, errors, done, cpuMs: (used.user + used.system) / 1000 };
    },
    close: () => pool.close(),
  };
}

export async function measureRps(origin: string, path: string, ms: number, concurrency = 32): Promise<{ rps: number; errors: number }> {
  const client = loadClient(origin, concurrency);
  try {
    const { rps, errors } = await client.run(path, ms);
    return { rps, errors };
  } finally {
    await client.close();
  }
}
