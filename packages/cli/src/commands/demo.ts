/**
 * `psso-wstrust demo [--json]`: the main job, with no outside services. Starts reference IdPs
 * in-process on ephemeral ports, registers a fresh device, and runs every login method of
 * `src/cli/demo-methods.ts` (password, federated SAML 1.1 and 2.0, dynamic WS-Trust, refresh),
 * showing each step, then a table. Exit 0 only if all succeed.
 *
 * @module
 */
import type { Command } from 'commander';

/** Registers `demo` (its work is loaded only when it runs). */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole Platform SSO federated login against an embedded reference IdP')
    .option('--json', 'print the summary as JSON')
    .option(
      '--save-config <dir>',
      'keep the IdP in DIR/idp and leave a working login.json and device keys',
    )
    .action(async (flags: { json?: boolean; saveConfig?: string }) => {
      const { runDemo } = await import('../demo-run.js');
      await runDemo(flags);
    });
}
