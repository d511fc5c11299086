/**
 * Roles: `all` (API + worker in one process), `api`, `worker`. Graceful shutdown on SIGTERM/SIGINT:
 * stop accepting requests and jobs, let running imports checkpoint and hand back, close connections.
 */
import { createServer } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { ConfigError, StartupError, loadConfig } from './config.js';
import { buildDeps, createWorker, type Deps } from './deps.js';
import { connectors } from './connectors/registry.js';
import { buildApp } from './http/app.js';
import { healthProbe } from './http/health-probe.js';
import { boundPort, serveOps } from './http/ops-server.js';
import type { ImportWorker } from './jobs/worker.js';
import { scheduleSweep } from './jobs/retention.js';
import { scheduleSweeper } from './jobs/sweeper.js';
import { VERSION } from './version.js';
import { DEFAULT_POLICY } from './policy.js';
import { isClientCommand } from './cli/commands.js';

export type Role = 'all' | 'api' | 'worker';

export interface Running {
  deps: Deps;
  app: FastifyInstance | null;
  /** the METRICS_PORT server, when that is set */
  ops: FastifyInstance | null;
  worker: ImportWorker | null;
  stop(): Promise<void>;
}

export async function start(role: Role, env: NodeJS.ProcessEnv = process.env, logger?: Logger): Promise<Running> {
  const config = loadConfig(env);
  const log = logger ?? pino({ level: config.logLevel, base: { service: 'integration-service', role } });
  // A taken port is told at once, before the item store is opened (PGlite takes seconds and its data directory).
  if (role !== 'worker') await probePort(config.port, config.host, 'PORT');
  if (config.metricsPort !== null) await probePort(config.metricsPort, config.host, 'METRICS_PORT');
  const deps = await buildDeps(config, log, { connectors });
  let app: FastifyInstance | null = null;
  let ops: FastifyInstance | null = null;
  let worker: ImportWorker | null = null;
  const health = healthProbe(deps.apiRedis, deps.store);
  // The API listens first: while Redis is unreachable it answers /health with 503.
  if (role !== 'worker') {
    app = await buildApp({
      jobs: deps.jobs, items: deps.store, health, connectors: deps.connectors, metrics: deps.metrics,
      apiKeys: config.apiKeys, version: VERSION, environment: config.environment, logger: log, policy: deps.policy.api,
      syncs: deps.syncs, webhooks: deps.webhooks, blobs: deps.blobs, publicUrl: config.publicUrl,
    });
    await app.listen({ port: config.port, host: config.host }).catch(async (err: unknown) => {
      await deps.close();
      throw listenError(err, 'PORT', config.port, config.host);
    });
  }
  if (config.metricsPort !== null) {
    const opsDeps = { jobs: deps.jobs, health, metrics: deps.metrics, version: VERSION, environment: config.environment, logger: log, policy: deps.policy.api };
    ops = await serveOps(opsDeps, config.metricsPort, config.host).catch(async (err: unknown) => {
      await app?.close();
      await deps.close();
      throw listenError(err, 'METRICS_PORT', config.metricsPort!, config.host);
    });
  }
  // Not awaited at shutdown: a pass waiting out a Redis outage must not hold the exit up.
  const stops: (() => unknown)[] = [];
  if (role !== 'api') {
    worker = createWorker(deps);
    await worker.start();
    stops.push(scheduleSweep(deps.records, deps.store, config.jobTtlSeconds, log, deps.policy.retention));
    stops.push(scheduleSweeper({
      redis: deps.redis, keys: deps.keys, records: deps.records, queue: deps.queue, ttlSeconds: config.jobTtlSeconds,
      logger: log, policy: deps.policy.sweeper,
    }));
  }
  log.info({ port: app ? config.port : undefined, metrics_port: ops ? boundPort(ops) : undefined, store: config.databaseUrl ? 'postgres' : 'pglite' }, 'integration-service started');
  return {
    deps, app, ops, worker,
    async stop() {
      for (const stop of stops) stop();
      await app?.close();
      await ops?.close();
      await worker?.close();
      await deps.close();
    },
  };
}

/**
 * Binds the port for a moment and lets it go, so a port already taken stops start-up before anything
 * is opened. The real listen comes later and still reports a port taken in between. Port 0 (any free
 * port) cannot be taken.
 */
async function probePort(port: number, host: string, variable: 'PORT' | 'METRICS_PORT'): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(listenError(err, variable, port, host)));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve()));
  });
}

/** The usual reasons a listen fails, as one line naming the variable to change and the address. */
function listenError(err: unknown, variable: 'PORT' | 'METRICS_PORT', port: number, host: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new StartupError(variable, `${port} on ${host} is already in use (EADDRINUSE): stop what listens there or set ${variable} to a free port`);
  }
  if (code === 'EACCES') return new StartupError(variable, `${port} on ${host} needs privileges this process lacks (EACCES): choose a port above 1023`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new StartupError('HOST', `is not an address of this machine (${code})`);
  }
  return err;
}

export async function main(argv: string[]): Promise<void> {
  // Client commands talk to a running service (src/cli/); everything else starts a role.
  if (isClientCommand(argv)) return (await import('./cli/run.js')).runAndExit(argv);
  const role = (argv[0] ?? 'all') as Role;
  if (!['all', 'api', 'worker'].includes(role)) {
    process.stderr.write(`usage: integration-service [all|api|worker|sandbox|demo]\n`);
    process.exit(2);
  }
  // The embedded database runs inside this process, so V8's garbage must leave it room (issue #11).
  if (!process.env.DATABASE_URL?.trim()) for (const flag of DEFAULT_POLICY.embeddedDb.v8Flags) setFlagsFromString(flag);
  let running: Running;
  try {
    running = await start(role);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StartupError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const { logger, config } = running.deps;
    logger.info({ signal }, 'shutting down: no new jobs, running imports checkpoint and hand back');
    // Whatever Redis or the database do meanwhile, the process ends; a job cut off here is
    // re-delivered from its last checkpoint like any lost run.
    setTimeout(() => {
      logger.error({ timeout_s: config.shutdownTimeoutMs / 1000 }, 'shutdown did not finish in SHUTDOWN_TIMEOUT_S: exiting anyway');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        running.deps.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
