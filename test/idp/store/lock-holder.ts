/**
 * Takes the data-folder lock `<dir>/.pki.lock` and holds it until killed, printing "locked" once
 * it holds it: lock.test.ts kills it with SIGKILL, as a crash during first start would.
 */
import { withDataDirLock } from '../../../packages/idp/src/store/lock.ts';

const dir = process.argv[2];
if (dir === undefined) throw new TypeError('usage: lock-holder.ts DIR');
await withDataDirLock(dir, 'pki', async () => {
  process.stdout.write('locked\n');
  await new Promise(() => setInterval(() => undefined, 60_000));
});
