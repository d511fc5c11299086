/**
 * Probes (/health, /metrics) are called every few seconds by orchestrators and scrapers: their
 * request lines would drown everything else at info. They are logged only when the service runs
 * at debug or trace; at info their request logger is raised to warn (errors still show), and a
 * quieter service level (warn, error, silent) is kept.
 */
import type { LevelWithSilent, Logger } from 'pino';

export function probeLogLevel(logger: Logger): LevelWithSilent {
  const level = logger.level as LevelWithSilent;
  // Never lower than the service's own level: LOG_LEVEL=error or silent stays so for probes too.
  return level === 'info' ? 'warn' : level;
}
