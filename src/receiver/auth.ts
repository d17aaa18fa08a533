import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface Credentials {
  username: string;
  password: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();
const expectedDigests = new WeakMap<Credentials, { header: Buffer; username: Buffer; password: Buffer }>();

/**
 * HTTP Basic check in constant time (hashing first so lengths never leak).
 * The usual header (exactly what basicAuthHeader makes) costs one hash;
 * any other spelling is decoded and compared field by field.
 */
export function basicAuthMatches(headers: IncomingHttpHeaders, expected: Credentials): boolean {
  const header = headers.authorization;
  if (typeof header !== 'string' || !/^Basic /i.test(header)) return false;
  let want = expectedDigests.get(expected);
  if (!want) expectedDigests.set(expected, (want = { header: digest(basicAuthHeader(expected)), username: digest(expected.username), password: digest(expected.password) }));
  if (timingSafeEqual(digest(header), want.header)) return true;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep < 0) return false;
  const userOk = timingSafeEqual(digest(decoded.slice(0, sep)), want.username);
  const passOk = timingSafeEqual(digest(decoded.slice(sep + 1)), want.password);
  return userOk && passOk;
}

export const basicAuthHeader = (c: Credentials) => 'Basic ' + Buffer.from(`${c.username}:${c.password}`).toString('base64');
