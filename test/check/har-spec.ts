/**
 * A structural checker of the fields HAR 1.2 marks required
 * (http://www.softwareishard.com/blog/har-12-spec/): what a HAR viewer needs to open a file.
 */

type Obj = Record<string, unknown>;

/** Every violation of the HAR 1.2 required fields, as `path: problem` lines ([] when valid). */
export function harProblems(doc: unknown): string[] {
  const problems: string[] = [];
  const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
  const need = (
    o: Obj,
    key: string,
    type: 'string' | 'number' | 'object' | 'array',
    at: string,
  ) => {
    const v = o[key];
    const ok =
      type === 'array' ? Array.isArray(v) : type === 'object' ? isObj(v) : typeof v === type;
    if (!ok) problems.push(`${at}.${key}: missing or not ${type}`);
    return ok;
  };
  const nameValues = (o: Obj, key: string, at: string) => {
    if (!need(o, key, 'array', at)) return;
    for (const [i, nv] of (o[key] as unknown[]).entries()) {
      if (!isObj(nv)) {
        problems.push(`${at}.${key}[${i}]: not an object`);
        continue;
      }
      need(nv, 'name', 'string', `${at}.${key}[${i}]`);
      need(nv, 'value', 'string', `${at}.${key}[${i}]`);
    }
  };
  if (!isObj(doc) || !isObj(doc.log)) return ['log: missing'];
  const log = doc.log;
  if (log.version !== '1.2') problems.push('log.version: not "1.2"');
  if (need(log, 'creator', 'object', 'log')) {
    need(log.creator as Obj, 'name', 'string', 'log.creator');
    need(log.creator as Obj, 'version', 'string', 'log.creator');
  }
  if (!need(log, 'entries', 'array', 'log')) return problems;
  for (const [i, entry] of (log.entries as unknown[]).entries()) {
    const at = `log.entries[${i}]`;
    if (!isObj(entry)) {
      problems.push(`${at}: not an object`);
      continue;
    }
    if (need(entry, 'startedDateTime', 'string', at)) {
      const s = entry.startedDateTime as string;
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s)) {
        problems.push(`${at}.startedDateTime: not ISO 8601 with a time zone`);
      }
    }
    need(entry, 'time', 'number', at);
    need(entry, 'cache', 'object', at);
    if (need(entry, 'timings', 'object', at)) {
      for (const k of ['send', 'wait', 'receive'])
        need(entry.timings as Obj, k, 'number', `${at}.timings`);
    }
    if (need(entry, 'request', 'object', at)) {
      const r = entry.request as Obj;
      const ra = `${at}.request`;
      for (const k of ['method', 'url', 'httpVersion']) need(r, k, 'string', ra);
      nameValues(r, 'cookies', ra);
      nameValues(r, 'headers', ra);
      nameValues(r, 'queryString', ra);
      need(r, 'headersSize', 'number', ra);
      need(r, 'bodySize', 'number', ra);
      if (r.postData !== undefined && need(r, 'postData', 'object', ra)) {
        need(r.postData as Obj, 'mimeType', 'string', `${ra}.postData`);
      }
    }
    if (need(entry, 'response', 'object', at)) {
      const r = entry.response as Obj;
      const ra = `${at}.response`;
      need(r, 'status', 'number', ra);
      for (const k of ['statusText', 'httpVersion', 'redirectURL']) need(r, k, 'string', ra);
      nameValues(r, 'cookies', ra);
      nameValues(r, 'headers', ra);
      need(r, 'headersSize', 'number', ra);
      need(r, 'bodySize', 'number', ra);
      if (need(r, 'content', 'object', ra)) {
        need(r.content as Obj, 'size', 'number', `${ra}.content`);
        need(r.content as Obj, 'mimeType', 'string', `${ra}.content`);
      }
    }
  }
  return problems;
}
