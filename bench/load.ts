/** A small closed-loop HTTP load generator: `concurrency` clients sending back to back for `ms`. */
import { Pool } from 'undici';

export async function measureRps(origin: string, path: string, ms: number, concurrency = 32): Promise<{ rps: number; errors: number }> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
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
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (Date.now() - started) / 1000;
  await pool.close();
  return { rps: done / seconds, errors };
}
