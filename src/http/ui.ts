/**
 * The dashboard (CONTRACT §14) at /ui/: the files `npm run build` writes to dist/ui, held in
 * memory (a few small files) and served by the API process itself. Every /ui/ path that is not
 * a file gets index.html, so the app's own routes (/ui/jobs/{id}) load directly.
 *
 * No API key is needed to load the app: it asks for one when the API answers 401. Hashed assets
 * are cached for a year; index.html is revalidated each time so a new build shows at once.
 * A strict CSP: everything from this origin, nothing inline, nothing from elsewhere.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

/** dist/ui from src/http (tsx) and from dist/http (built) alike. */
export const UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

const CSP = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

interface UiFile {
  body: Buffer;
  type: string;
  etag: string;
  immutable: boolean;
}

const NOT_BUILT = 'The dashboard is not built: run `npm run build` (it writes dist/ui), then restart the service.\n';

async function loadFiles(dir: string): Promise<Map<string, UiFile> | null> {
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const files = new Map<string, UiFile>();
  for (const path of names) {
    const rel = relative(dir, path).split(sep).join('/');
    const body = await readFile(path);
    files.set(rel, {
      body,
      type: TYPES[extname(rel)] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      // Vite names what it emits under assets/ by content hash.
      immutable: rel.startsWith('assets/'),
    });
  }
  return files.has('index.html') ? files : null;
}

export async function registerUi(app: FastifyInstance, dir: string = UI_DIR): Promise<void> {
  // Read once; while missing, read again on the next request (a build made after start-up shows).
  let files: Map<string, UiFile> | null = await loadFiles(dir);
  const current = async () => (files ??= await loadFiles(dir));

  const send = (request: FastifyRequest, reply: FastifyReply, file: UiFile) => {
    reply
      .header('content-type', file.type)
      .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('etag', file.etag)
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer');
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.send(file.body);
  };

  app.get('/ui', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/ui/', 308));
  app.get('/ui/*', { schema: { hide: true } }, async (request, reply) => {
    const ui = await current();
    if (!ui) return reply.code(503).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
    const rel = (request.params as { '*': string })['*'];
    const file = ui.get(rel);
    if (file) return send(request, reply, file);
    // A missing asset is a 404 (an old page asking for a file a new build replaced), not the app.
    if (rel.startsWith('assets/') || extname(rel) !== '') throw new AppError('NOT_FOUND', 'no such file in the dashboard');
    return send(request, reply, ui.get('index.html')!);
  });
}
