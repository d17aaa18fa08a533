/**
 * The few CHT API calls inbound mappings make. CHT_URL carries the
 * credentials (https://user:password@cht.example.org); they go into an
 * Authorization header and never into a log line or an error message.
 */
export class ChtUnavailable extends Error {}
export class ChtRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ChtClient {
  /** Where CHT is, without credentials, for logs. */
  readonly origin: string;
  getDoc(id: string, deadline: number): Promise<Record<string, unknown> | undefined>;
  /** Docs matching a Mango selector (POST /medic/_find). */
  find(selector: Record<string, unknown>, deadline: number): Promise<Array<Record<string, unknown>>>;
  createRecord(body: Record<string, unknown>, deadline: number): Promise<string>;
  createPerson(body: Record<string, unknown>, deadline: number): Promise<string>;
}

export function chtClient(chtUrl: string): ChtClient {
  let url: URL;
  try {
    url = new URL(chtUrl);
  } catch {
    throw new Error('CHT_URL is not a URL (expected https://user:password@cht.example.org)');
  }
  const auth = url.username ? 'Basic ' + Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64') : undefined;
  url.username = '';
  url.password = '';
  const base = url.href.replace(/\/+$/, '');

  const call = async (method: string, path: string, deadline: number, body?: unknown): Promise<{ status: number; json: any }> => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new ChtUnavailable('no time left to call CHT');
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}), ...(auth ? { authorization: auth } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(remaining),
      });
    } catch (e) {
      throw new ChtUnavailable(`CHT at ${base} did not answer: ${(e as Error).name === 'TimeoutError' ? 'timeout' : (e as Error).message}`);
    }
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = { error: text.slice(0, 200) };
    }
    if (res.status >= 500) throw new ChtUnavailable(`CHT answered ${res.status} to ${method} ${path.split('?')[0]}`);
    if (res.status === 401 || res.status === 403) throw new ChtUnavailable(`CHT refused the receiver's credentials (${res.status}): check CHT_URL`);
    return { status: res.status, json };
  };
  const refusedUnless = (r: { status: number; json: any }, ok: number[], what: string) => {
    if (!ok.includes(r.status)) throw new ChtRefused(r.status, `CHT refused ${what}: ${String(r.json?.error ?? r.json?.message ?? r.json?.reason ?? r.status)}`);
  };

  return {
    origin: base,
    async getDoc(id, deadline) {
      const r = await call('GET', `/medic/${encodeURIComponent(id)}`, deadline);
      if (r.status === 404) return undefined;
      refusedUnless(r, [200], `reading ${id}`);
      return r.json;
    },
    async find(selector, deadline) {
      const r = await call('POST', '/medic/_find', deadline, { selector, limit: 1 });
      refusedUnless(r, [200], 'the search');
      return Array.isArray(r.json?.docs) ? r.json.docs : [];
    },
    async createRecord(body, deadline) {
      const r = await call('POST', '/api/v2/records', deadline, body);
      refusedUnless(r, [200, 201], 'the record');
      if (!r.json?.success || typeof r.json.id !== 'string') throw new ChtUnavailable('CHT did not confirm the record');
      return r.json.id;
    },
    async createPerson(body, deadline) {
      const r = await call('POST', '/api/v1/people', deadline, body);
      refusedUnless(r, [200, 201], 'the person');
      if (typeof r.json?.id !== 'string') throw new ChtUnavailable('CHT did not confirm the person');
      return r.json.id;
    },
  };
}
