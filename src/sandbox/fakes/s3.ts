/**
 * A small S3-compatible object store for tests of the S3 blob store: path-style requests
 * (`/{bucket}/{key}`), the four object calls the service makes, and S3's error shape.
 *
 * Docs followed (Amazon S3 API Reference):
 *   PutObject    https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 *                (x-amz-meta-* user metadata, Content-Type, x-amz-checksum-sha256 checked: BadDigest on mismatch; ETag in the answer)
 *   HeadObject   https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
 *                (the GET answer's headers without a body; an error is a bare 404/403 with no body)
 *   GetObject    https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (NoSuchKey: 404)
 *   DeleteObject https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html (204, also for a missing key)
 *   Errors       https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (<Error><Code/><Message/>…</Error>)
 *   Path style   https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html#path-style-access
 * Authorization: only checked to be a Signature V4 header naming the expected access key
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html);
 * the signature itself is not verified.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, listenLoopback } from './loopback.js';

interface StoredObject {
  body: Buffer;
  contentType: string;
  meta: Record<string, string>;
  etag: string;
  lastModified: Date;
}

export interface FakeS3Request {
  method: string;
  bucket: string;
  key: string;
  headers: IncomingMessage['headers'];
}

export class FakeS3 {
  readonly objects = new Map<string, StoredObject>();
  readonly requests: FakeS3Request[] = [];
  /** The next n requests answer 503 SlowDown (fault tests). */
  failNext = 0;
  private server: Server | null = null;
  origin = '';

  constructor(readonly bucket: string, readonly accessKeyId: string) {}

  async start(): Promise<this> {
    const { server, origin } = await listenLoopback((req, res) => this.handle(req, res));
    this.server = server;
    this.origin = origin;
    return this;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const [, bucketPart = '', ...keyParts] = path.split('/');
    const bucket = decodeURIComponent(bucketPart);
    const key = keyParts.map(decodeURIComponent).join('/');
    const method = req.method ?? 'GET';
    this.requests.push({ method, bucket, key, headers: req.headers });
    const head = method === 'HEAD';
    if (this.failNext > 0) {
      this.failNext--;
      return error(res, 503, 'SlowDown', 'Please reduce your request rate.', head);
    }
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${this.accessKeyId}/`)) return error(res, 403, 'AccessDenied', 'Access Denied', head);
    if (bucket !== this.bucket) return error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', head);
    if (!key) return error(res, 400, 'InvalidRequest', 'only object operations are served', head);
    const id = `${bucket}/${key}`;
    switch (method) {
      case 'PUT': {
        const declared = req.headers['x-amz-checksum-sha256'];
        const sha = createHash('sha256').update(body).digest('base64');
        if (typeof declared === 'string' && declared !== sha) {
          return error(res, 400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.', false);
        }
        const meta = Object.fromEntries(Object.entries(req.headers).filter(([h]) => h.startsWith('x-amz-meta-')).map(([h, v]) => [h, String(v)]));
        const etag = `"${createHash('md5').update(body).digest('hex')}"`;
        this.objects.set(id, { body, contentType: req.headers['content-type'] ?? 'binary/octet-stream', meta, etag, lastModified: new Date() });
        res.writeHead(200, { etag, ...(typeof declared === 'string' ? { 'x-amz-checksum-sha256': declared } : {}), 'x-amz-request-id': randomUUID() });
        return void res.end();
      }
      case 'HEAD':
      case 'GET': {
        const obj = this.objects.get(id);
        if (!obj) return error(res, 404, 'NoSuchKey', 'The specified key does not exist.', head, key);
        res.writeHead(200, {
          'content-length': String(obj.body.length), 'content-type': obj.contentType, etag: obj.etag,
          'last-modified': obj.lastModified.toUTCString(), 'accept-ranges': 'bytes', ...obj.meta,
        });
        return void res.end(head ? undefined : obj.body);
      }
      case 'DELETE':
        this.objects.delete(id);
        res.writeHead(204);
        return void res.end();
      default:
        return error(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', head);
    }
  }
}

function error(res: ServerResponse, status: number, code: string, message: string, head: boolean, key?: string): void {
  if (head) {
    res.writeHead(status);
    return void res.end();
  }
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${key ? `<Key>${escapeXml(key)}</Key>` : ''}<RequestId>${randomUUID()}</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(xml);
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
