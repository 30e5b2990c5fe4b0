import { readFileSync } from 'node:fs';
import { findInvalidChar } from './src/xml/chars.ts';
import { parseXml } from './src/xml/parse.ts';

const s = readFileSync('/work/shared/fixtures/interop/mex/microsoft.mex.xml', 'utf8');
function bench(name: string, fn: () => void) {
  for (let i = 0; i < 300; i++) fn();
  const n = 3000;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  console.log(name, Number(process.hrtime.bigint() - t) / n / 1000, 'us');
}
bench('invalid', () => findInvalidChar(s));
bench('invalid-nonu', () =>
  s.search(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\uD800-\uDBFF\uDC00-\uDFFF]/),
);
bench('ours(string)', () => parseXml(s));
