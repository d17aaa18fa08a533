import type { IncomingMessage } from 'node:http';
import { fail } from './outcome';

export const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;
const JSON_TYPES = /^application\/(fhir\+json|json\+fhir|json)\s*(;|$)/i;

/** Refuses anything but JSON / FHIR JSON (charset parameters allowed). */
export function checkContentType(req: IncomingMessage): void {
  const type = req.headers['content-type'];
  if (!type || !JSON_TYPES.test(type)) {
    throw fail(415, 'not-supported', `Content-Type must be application/json or application/fhir+json, got ${type ? JSON.stringify(type.slice(0, 100)) : 'none'}`);
  }
}

/** Reads the body, failing with 413 as soon as it passes `limit` bytes (declared or streamed). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume(); // keep draining; the answer closes the connection
        reject(tooLarge(limit));
      } else chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(fail(400, 'incomplete', 'Request aborted')));
  });
}

const tooLarge = (limit: number) => fail(413, 'too-costly', `Body larger than ${limit} bytes`);

/** JSON.parse with a 400 naming the problem; the shape checks of the validator handle depth and keys. */
export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) throw fail(400, 'required', 'Empty body');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw fail(400, 'structure', `Body is not valid JSON: ${(e as Error).message.slice(0, 200)}`);
  }
}
