/**
 * A small JSON Schema (draft 2020-12) validator for the keywords the repo's schemas use: type,
 * const, enum, required, properties, additionalProperties (false), items, $ref to #/$defs,
 * minimum, maximum, minLength, pattern, format date-time and uri, anyOf, allOf and if/then (type
 * may be a list; default is an annotation). Returns the list of violations (empty: valid).
 */
type Schema = Record<string, unknown>;

export function validateJson(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  const resolve = (ref: string): Schema => {
    if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
    let node: unknown = root;
    for (const part of ref.slice(2).split('/')) node = (node as Schema)[part];
    if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
    return node as Schema;
  };
  const typeOf = (v: unknown): string =>
    v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
  const walk = (s: Schema, v: unknown, at: string): void => {
    for (const key of Object.keys(s)) {
      if (!KNOWN.has(key)) throw new Error(`unsupported keyword ${key} at ${at}`);
    }
    if (typeof s.$ref === 'string') walk(resolve(s.$ref), v, at);
    if (s.type !== undefined) {
      const t = typeOf(v);
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      const ok = types.some((x) => x === t || (x === 'number' && t === 'integer'));
      if (!ok) errors.push(`${at}: expected ${types.join(' or ')}, got ${t}`);
    }
    const valid = (sub: Schema): boolean => {
      const before = errors.length;
      walk(sub, v, at);
      const ok = errors.length === before;
      errors.length = before;
      return ok;
    };
    if (Array.isArray(s.anyOf) && !(s.anyOf as Schema[]).some((sub) => valid(sub)))
      errors.push(`${at}: matches none of anyOf`);
    for (const sub of (s.allOf as Schema[] | undefined) ?? []) walk(sub, v, at);
    if (s.if !== undefined && valid(s.if as Schema) && s.then !== undefined)
      walk(s.then as Schema, v, at);
    if ('const' in s && v !== s.const) errors.push(`${at}: expected ${JSON.stringify(s.const)}`);
    if (Array.isArray(s.enum) && !s.enum.includes(v)) errors.push(`${at}: not in enum`);
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) errors.push(`${at}: below minimum`);
      if (typeof s.maximum === 'number' && v > s.maximum) errors.push(`${at}: above maximum`);
    }
    if (typeof v === 'string') {
      if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v))
        errors.push(`${at}: does not match ${s.pattern}`);
      if (s.format === 'date-time' && Number.isNaN(Date.parse(v)))
        errors.push(`${at}: not a date-time`);
      if (s.format === 'uri' && !URL.canParse(v)) errors.push(`${at}: not a uri`);
      if (typeof s.minLength === 'number' && [...v].length < s.minLength)
        errors.push(`${at}: shorter than ${s.minLength}`);
    }
    if (typeOf(v) === 'object') {
      const o = v as Record<string, unknown>;
      for (const r of (s.required as string[] | undefined) ?? [])
        if (!(r in o)) errors.push(`${at}: missing ${r}`);
      const props = (s.properties as Record<string, Schema> | undefined) ?? {};
      for (const [k, child] of Object.entries(o)) {
        const p = props[k];
        if (p !== undefined) walk(p, child, `${at}.${k}`);
        else if (s.additionalProperties === false) errors.push(`${at}: unexpected property ${k}`);
      }
    }
    if (Array.isArray(v) && s.items !== undefined) {
      for (const [i, item] of v.entries()) walk(s.items as Schema, item, `${at}[${i}]`);
    }
  };
  walk(root, value, '$');
  return errors;
}

const KNOWN = new Set([
  '$schema',
  '$id',
  '$defs',
  '$ref',
  'title',
  'description',
  'type',
  'const',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'minimum',
  'maximum',
  'pattern',
  'format',
  'minLength',
  'anyOf',
  'allOf',
  'if',
  'then',
  'default',
]);
