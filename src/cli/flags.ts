/** Flag parsing shared by the commands: a usage error prints its message (and usage) and exits 3 (CONTRACT §14). */

export class UsageError extends Error {
  constructor(message: string, readonly usage = '') {
    super(message);
    this.name = 'UsageError';
  }
}

export function intFlag(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`${name} must be a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}`);
  return n;
}
