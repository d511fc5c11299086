/**
 * A REDIS_URL naming a database the server cannot select (`/99` on a server with 16) must stop
 * start-up: ioredis logs the SELECT error, then reports the connection ready on database 0 and
 * would write every job record there, beside whatever else lives in it.
 */
import type { Redis } from 'ioredis';
import { StartupError } from './config.js';

const SELECT_REFUSED = /DB index is out of range|invalid DB index/i;

export function databaseOf(redisUrl: string): number {
  const fromPath = new URL(redisUrl).pathname.slice(1);
  return /^\d+$/.test(fromPath) ? Number(fromPath) : 0;
}

/**
 * Resolves once the connection is on the configured database, or as soon as Redis proves
 * unreachable (start-up goes on: the API answers 503 until it is back); rejects with a
 * StartupError naming REDIS_URL when the server refuses the database.
 */
export function checkRedisDatabase(client: Redis, redisUrl: string): Promise<void> {
  const wanted = databaseOf(redisUrl);
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      client.off('error', onError);
      client.off('ready', onReady);
      if (err) reject(err);
      else resolve();
    };
    const refused = () => new StartupError('REDIS_URL', `names database ${wanted}, which this Redis server cannot select (see its 'databases' setting)`);
    const onError = (err: Error) => done(SELECT_REFUSED.test(err.message) ? refused() : undefined);
    const onReady = () => {
      client.client('INFO').then(
        (info) => done(new RegExp(`\\bdb=${wanted}\\b`).test(String(info)) ? undefined : refused()),
        () => done(), // a server without CLIENT INFO (before 6.2): nothing more to check
      );
    };
    client.on('error', onError);
    if (client.status === 'ready') onReady();
    else client.on('ready', onReady);
  });
}
