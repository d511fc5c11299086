/** Driver errors become StoreError (STORE_UNAVAILABLE) with every secret cut out of the message. */
import { StoreError } from '../errors.js';

/** Wraps any driver error as StoreError, removing the given secrets from its message. */
export function storeError(err: unknown, secrets: readonly string[]): StoreError {
  let message = err instanceof Error ? err.message : String(err);
  for (const secret of secrets) {
    if (secret) message = message.split(secret).join('***');
  }
  return new StoreError(`database error: ${message}`);
}

export function urlSecrets(url: string): string[] {
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    // An unparsable URL may still hold a password somewhere: the whole text is hidden below.
  }
  return [url, password, safeDecode(password)].filter((s) => s.length > 0);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
