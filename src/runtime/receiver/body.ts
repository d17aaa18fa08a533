import type { IncomingMessage } from 'node:http';
import { fail } from './failure';

export const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;
const JSON_TYPES = /^application\/(fhir\+json|json\+fhir|json)\s*(;|$)/i;

/** Refuses anything but JSON / FHIR JSON (charset parameters allowed). */
export function checkContentType(req: IncomingMessage): void {
  const type = req.headers['content-type'];
  if (!type || !JSON_TYPES.test(type)) {
    throw fail(
      415,
      'not-supported',
      `Content-Type must be application/json or application/fhir+json, got ${type ? JSON.stringify(type.slice(0, 100)) : 'none'}`,
    );
  }
}

/**
 * Reads the body, failing with 413 when it passes `limit` bytes (declared or
 * streamed). An oversized body is still read to its end (up to `DRAIN_MAX`
 * bytes or `DRAIN_MS`) and thrown away before the 413 is sent: closing a
 * socket with unread data makes the kernel answer with a reset, and the
 * client (OpenHIM, mid-upload) sees ECONNRESET instead of the 413.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number(req.headers['content-length']) > limit;
    let timer: NodeJS.Timeout | undefined;
    const refuse = () => {
      clearTimeout(timer);
      req.off('data', onData);
      reject(tooLarge(limit));
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (!over && size > limit) over = true;
      if (!over) chunks.push(c);
      else if (size > Math.max(DRAIN_MAX, limit)) refuse();
      else chunks.length = 0;
      if (over && !timer) timer = setTimeout(refuse, DRAIN_MS);
    };
    if (over) timer = setTimeout(refuse, DRAIN_MS);
    req.on('data', onData);
    req.on('end', () => {
      clearTimeout(timer);
      if (over) reject(tooLarge(limit));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
    req.on('aborted', () => reject(fail(400, 'incomplete', 'Request aborted')));
  });
}

/** How much of an oversized body is read and dropped so the 413 arrives; past this the connection is cut. */
const DRAIN_MAX = 64 * 1024 * 1024;
const DRAIN_MS = 10_000;

/** The 413 for a body past `limit`, whether read (readBody) or only announced (Expect: 100-continue). */
export const tooLarge = (limit: number) => fail(413, 'too-costly', `Body larger than ${limit} bytes`);

/** JSON.parse with a 400 naming the problem; the shape checks of the validator handle depth and keys. */
export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) throw fail(400, 'required', 'Empty body');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw fail(400, 'structure', `Body is not valid JSON: ${(e as Error).message.slice(0, 200)}`);
  }
}

/**
 * Reads and drops what is left of a request body the answer did not need
 * (a 401 or 415 sent before reading it), up to `DRAIN_MAX` bytes or
 * `DRAIN_MS`: a socket closed or answered over unread data is reset by the
 * kernel, and a client still uploading sees EPIPE instead of the answer.
 * True when the body was read to its end.
 */
export function drainBody(req: IncomingMessage): Promise<boolean> {
  if (req.complete || req.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    let size = 0;
    const done = (complete: boolean) => {
      clearTimeout(timer);
      req.off('data', onData);
      resolve(complete);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > DRAIN_MAX) done(false);
    };
    const timer = setTimeout(() => done(false), DRAIN_MS);
    req.on('data', onData);
    req.once('end', () => done(true));
    req.once('error', () => done(false));
    req.resume();
  });
}
