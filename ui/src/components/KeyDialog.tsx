/**
 * Asks for an API key when the service answered 401. The key goes to sessionStorage (api.ts):
 * it lasts for this browser tab's session and is never put in a URL or shown again.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { KeyRequest } from '../api.js';

export function KeyDialog({ request }: { request: KeyRequest }) {
  const [key, setKey] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (key.trim()) request.submit(key);
  };
  return (
    <div class="overlay">
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="key-title" aria-describedby="key-help">
      <form onSubmit={onSubmit}>
        <h2 id="key-title">API key needed</h2>
        <p id="key-help">
          {request.refused
            ? 'The service refused that key. Enter a key from API_KEYS.'
            : 'This service has API keys turned on. Enter your key; it is kept for this browser session only.'}
        </p>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          ref={input}
          type="password"
          autocomplete="off"
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <button type="submit">Use this key</button>
      </form>
      </div>
    </div>
  );
}
