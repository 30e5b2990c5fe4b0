#!/usr/bin/env node
/**
 * The `psso-wstrust` command. Exit codes: 0 success; 1 the exchange or validation failed (the
 * error code is printed); 2 usage error.
 *
 * @module
 */
import { Command, CommanderError } from 'commander';
import { registerCheck } from './commands/check.js';
import { registerDemo } from './commands/demo.js';
import { registerIdp } from './commands/idp.js';
import { registerIdpDevice } from './commands/idp-device.js';
import { registerIdpKeys } from './commands/idp-keys.js';
import { registerIdpUser } from './commands/idp-user.js';
import { registerIdpSmartCardCa, registerIdpUserKey } from './commands/idp-user-key.js';
import { registerLogin } from './commands/login.js';
import { registerMex } from './commands/mex.js';
import { registerPsso } from './commands/psso.js';
import { registerRst } from './commands/rst.js';
import { registerRstr } from './commands/rstr.js';
import { registerSaml } from './commands/saml.js';
import { EXIT, reportError } from './output.js';

const program = new Command()
  .name('psso-wstrust')
  .description('WS-Trust federated login as Apple Platform SSO performs it')
  .version('0.1.0')
  .enablePositionalOptions()
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });
registerDemo(program);
registerMex(program);
registerRst(program);
registerRstr(program);
registerSaml(program);
registerLogin(program);
registerPsso(program);
registerCheck(program);
const idp = registerIdp(program);
registerIdpUser(idp);
registerIdpUserKey(idp);
registerIdpSmartCardCa(idp);
registerIdpDevice(idp);
registerIdpKeys(idp);
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
  process.exitCode ??= EXIT.ok;
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.exitCode = reportError(error, process.argv.includes('--json'));
  }
} finally {
  // Loaded here, not at the top: commands that make no request (idp) never load undici.
  await (await import('psso-wstrust')).closeHttpAgents();
}
