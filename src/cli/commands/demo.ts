/**
 * `psso-wstrust demo [--json]`: the main job, with no outside services. Starts the reference IdP
 * in-process on an ephemeral port (a federated and a managed domain), registers a fresh device,
 * and runs a static WS-Trust login, a dynamic WS-Trust login, a managed password login and a
 * refresh, showing each step, then a summary. Exit 0 only if all succeed.
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
