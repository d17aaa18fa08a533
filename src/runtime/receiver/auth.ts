import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface Credentials {
  username: string;
  password: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** HTTP Basic check in constant time (hashing first so lengths never leak). */
export function basicAuthMatches(headers: IncomingHttpHeaders, expected: Credentials): boolean {
  const header = headers.authorization;
  if (typeof header !== 'string' || !/^Basic /i.test(header)) return false;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep < 0) return false;
  const userOk = timingSafeEqual(digest(decoded.slice(0, sep)), digest(expected.username));
  const passOk = timingSafeEqual(digest(decoded.slice(sep + 1)), digest(expected.password));
  return userOk && passOk;
}

export const basicAuthHeader = (c: Credentials) => 'Basic ' + Buffer.from(`${c.username}:${c.password}`).toString('base64');
