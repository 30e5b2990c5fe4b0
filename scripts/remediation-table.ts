/**
 * Prints the README's error code → remediation table (markdown) from `src/cli/remediation.ts`.
 *
 * @example
 * ```sh
 * node --import tsx scripts/remediation-table.ts > /tmp/table.md
 * ```
 */
import { remediationTable } from '../packages/cli/src/remediation.ts';

process.stdout.write(`${remediationTable()}\n`);
