/**
 * Key-value coding `valueForKeyPath:` over parsed JSON, as Foundation applies it to the objects
 * `NSJSONSerialization` returns.
 *
 * @module
 */
import { PredicateError } from '../../errors.js';

/** Deepest nesting of arrays a key is mapped through (Foundation maps `valueForKey:` over arrays). */
export const MAX_KEYPATH_ARRAY_DEPTH = 64;

function valueForKey(object: unknown, key: string, depth: number): unknown {
  if (Array.isArray(object)) {
    if (depth >= MAX_KEYPATH_ARRAY_DEPTH) {
      throw new PredicateError('PSSO_ERR_PREDICATE_EVALUATION', 'Arrays nested too deeply');
    }
    // NSArray valueForKey: maps over the elements, NSNull standing for nil.
    return object.map((element) => valueForKey(element, key, depth + 1) ?? null);
  }
  if (typeof object === 'object' && object !== null && Object.hasOwn(object, key)) {
    return (object as Record<string, unknown>)[key];
  }
  return undefined;
}

/**
 * Follows a key path (`keys` already split) from `object`. A missing key, or a key applied to a
 * string, number, boolean or null, yields `undefined` (nil). Only own properties are read.
 */
export function valueForKeys(object: unknown, keys: readonly string[]): unknown {
  let current = object;
  for (const key of keys) {
    if (current === undefined || current === null) return undefined;
    current = valueForKey(current, key, 0);
  }
  return current;
}

/**
 * Reads a dotted key path from parsed JSON, like `-[NSObject valueForKeyPath:]`: `a.b.c` descends
 * into nested objects; a key applied to an array is applied to each element (missing ones become
 * `null`). A missing key yields `undefined`. The empty path yields `object` itself.
 *
 * Divergence from Foundation: a key applied to a string, number or boolean yields `undefined`
 * instead of raising `NSUnknownKeyException`.
 *
 * @throws {PredicateError} `PSSO_ERR_PREDICATE_EVALUATION` if arrays nest deeper than
 *   {@link MAX_KEYPATH_ARRAY_DEPTH} under a mapped key.
 * @example
 * ```ts
 * valueForKeyPath({ a: { b: 'x' } }, 'a.b'); // 'x'
 * valueForKeyPath({ items: [{ id: 1 }, {}] }, 'items.id'); // [1, null]
 * valueForKeyPath({}, 'missing.key'); // undefined
 * ```
 */
export function valueForKeyPath(object: unknown, path: string): unknown {
  if (typeof path !== 'string') throw new TypeError('key path must be a string');
  return path === '' ? object : valueForKeys(object, path.split('.'));
}
