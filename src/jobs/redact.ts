/**
 * Last line of defence before a message is stored in the job record or logged: the job's own
 * decrypted credentials (and the Basic-auth form of them) are cut out, whatever produced the text.
 */
export function secretForms(config: Record<string, unknown>, secrets: Record<string, unknown>): string[] {
  const values = Object.values(secrets).filter((v): v is string => typeof v === 'string' && v.length >= 4);
  const users = Object.values(config).filter((v): v is string => typeof v === 'string');
  const basic = values.flatMap((s) => users.map((u) => Buffer.from(`${u}:${s}`).toString('base64')));
  return [...values, ...values.map(encodeURIComponent), ...basic].sort((a, b) => b.length - a.length);
}

export function redact(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) if (form) out = out.split(form).join('[REDACTED]');
  return out;
}
