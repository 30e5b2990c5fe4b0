/**
 * A throwaway `psso-wstrust` with only `idp user …` registered, run by cli.test.ts as a child
 * process (stdin, exit codes), the way src/cli/main.ts runs its commands.
 */
import { Command, CommanderError } from 'commander';
import { registerIdpUser } from '../../../packages/cli/src/commands/idp-user.ts';
import { EXIT, reportError } from '../../../packages/cli/src/output.ts';

const program = new Command()
  .name('psso-wstrust')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });
registerIdpUser(program.command('idp').description('the reference identity provider'));

try {
  await program.parseAsync(process.argv);
  process.exitCode = EXIT.ok;
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.exitCode = reportError(error, process.argv.includes('--json'));
  }
}
