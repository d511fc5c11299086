/**
 * Probes (/health, /metrics) are called every few seconds by orchestrators and scrapers: their
 * request lines would drown everything else at info. They are logged only when the service runs
 * at debug or trace; at any other level their request logger is raised to warn (errors still show).
 */
import type { LevelWithSilent, Logger } from 'pino';

export function probeLogLevel(logger: Logger): LevelWithSilent {
  return logger.level === 'trace' ? 'trace' : logger.level === 'debug' ? 'debug' : 'warn';
}
