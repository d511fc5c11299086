/**
 * One "worker process" of bench/shared-rate.ts: imports the GitHub fake's repository once, with
 * the rate budget shared through Redis (SHARED=1) or kept to itself, from START_AT (epoch ms) on,
 * and prints what it took as one JSON line.
 */
import { Redis } from 'ioredis';
import { githubModule } from '../src/connectors/github/index.js';
import { SharedBudget } from '../src/outbound/shared-budget.js';
import { DEFAULT_POLICY } from '../src/policy.js';
import { drainConnector } from './drain.js';

const env = (name: string): string => process.env[name] ?? '';
const redis = env('SHARED') === '1' ? new Redis(env('REDIS_URL'), { maxRetriesPerRequest: null }) : null;
const sharedBudget = redis
  ? new SharedBudget({ redis, keyPrefix: env('PREFIX'), secret: Buffer.from(env('SECRET'), 'hex'), policy: DEFAULT_POLICY.rateBudget })
  : undefined;
await new Promise((r) => setTimeout(r, Math.max(0, Number(env('START_AT')) - Date.now())));
const config = { base_url: env('BASE_URL'), token: env('TOKEN'), owner: env('OWNER'), repo: env('REPO') };
const drained = await drainConnector(githubModule, config, 10, { sharedBudget });
console.log(JSON.stringify(drained));
await sharedBudget?.close();
redis?.disconnect();
