/**
 * The default blob store: a local directory (BLOB_DIR). Objects under objects/<key>, their
 * size/hash/media type under meta/<key>.json, written after the object: the meta file is the mark
 * that an object is complete. Each file is written to tmp/ and renamed into place (atomic on one
 * filesystem), so a crash leaves either the old state or the new one, never a part.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve, sep } from 'node:path';
import { assertSafeKey, BlobStoreError, type BlobInfo, type BlobStore } from './types.js';

/** Temp files of a writer that died are removed at start-up once this old (another process may still be writing a younger one). */
const STALE_TMP_MS = 60 * 60 * 1000;
const TRANSIENT = new Set(['EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EINTR']);

export class LocalBlobStore implements BlobStore {
  readonly describe: string;
  private readonly root: string;

  private constructor(dir: string) {
    this.root = resolve(dir);
    this.describe = `local ${this.root}`;
  }

  static async open(dir: string): Promise<LocalBlobStore> {
    const store = new LocalBlobStore(dir);
    await Promise.all(['objects', 'meta', 'tmp'].map((d) => mkdir(join(store.root, d), { recursive: true })));
    await store.removeStaleTemps();
    return store;
  }

  async head(key: string): Promise<BlobInfo | null> {
    const { object, meta } = this.paths(key);
    return guard('read', async () => {
      const info = await readMeta(meta);
      if (!info) return null;
      const size = await stat(object).then((s) => s.size, (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err)));
      // An object replaced after its meta was read, or a meta without its object: not complete.
      return size === info.size ? info : null;
    });
  }

  async put(key: string, bytes: Buffer, m: { sha256: string; media_type: string | null }): Promise<void> {
    const { object, meta } = this.paths(key);
    const info: BlobInfo = { size: bytes.length, sha256: m.sha256, media_type: m.media_type };
    await guard('write', async () => {
      // The old mark goes first: a crash mid-replace leaves an object without mark, which reads as absent.
      await rm(meta, { force: true });
      await this.writeAtomic(object, bytes);
      await this.writeAtomic(meta, Buffer.from(JSON.stringify(info)));
    });
  }

  async get(key: string): Promise<{ info: BlobInfo; body: ReturnType<typeof createReadStream> } | null> {
    const info = await this.head(key);
    if (!info) return null;
    return { info, body: createReadStream(this.paths(key).object) };
  }

  async delete(key: string): Promise<void> {
    const { object, meta } = this.paths(key);
    await guard('delete', async () => {
      await rm(meta, { force: true });
      await rm(object, { force: true });
    });
  }

  /** The key checked twice: by its form, then by where it resolves (never outside the root). */
  private paths(key: string): { object: string; meta: string } {
    assertSafeKey(key);
    const object = resolve(this.root, 'objects', ...key.split('/'));
    const meta = resolve(this.root, 'meta', ...key.split('/')) + '.json';
    for (const p of [object, meta]) if (!p.startsWith(this.root + sep)) throw new Error('blob key refused: resolves outside the store');
    return { object, meta };
  }

  private async writeAtomic(target: string, bytes: Buffer): Promise<void> {
    const tmp = join(this.root, 'tmp', randomUUID());
    try {
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  private async removeStaleTemps(): Promise<void> {
    const dir = join(this.root, 'tmp');
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const s = await stat(path).catch(() => null);
      if (s && Date.now() - s.mtimeMs > STALE_TMP_MS) await rm(path, { force: true }).catch(() => undefined);
    }
  }
}

async function readMeta(path: string): Promise<BlobInfo | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let v: Partial<BlobInfo>;
  try {
    v = JSON.parse(text) as Partial<BlobInfo>;
  } catch {
    return null; // a mark cut short (a disk filled mid-write): the object reads as absent and is fetched again
  }
  if (typeof v.size !== 'number' || typeof v.sha256 !== 'string') return null;
  return { size: v.size, sha256: v.sha256, media_type: typeof v.media_type === 'string' ? v.media_type : null };
}

/** File-system failures as BlobStoreError naming the operation and errno code (paths stay out of it). */
async function guard<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof BlobStoreError || (err instanceof Error && err.message.startsWith('blob key refused'))) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
    throw new BlobStoreError(`blob store (local directory) ${what} failed: ${code}`, TRANSIENT.has(code));
  }
}
