/**
 * `psso-wstrust idp [--port N] [--host H] [--data DIR] [--config FILE] [--redis URL] [--fault …] [--json]`:
 * the reference identity provider, on an embedded default with no options.
 *
 * @module
 */

import cluster from 'node:cluster';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { forkWorkers, isIdpWorker, prepareDataDir, reportReady } from '../../idp/cluster.js';
import { DEFAULT_CONFIG, type IdpConfig, loadConfig } from '../../idp/config.js';
import { FAULT_SWITCHES, parseFaultSwitches } from '../../idp/faults/injection.js';
import { jsonLogger, type Logger } from '../../idp/log.js';
import { STS_PATHS } from '../../idp/mex-document.js';
import { defaultDataDir, loadOrCreatePki } from '../../idp/pki.js';
import { startIdp } from '../../idp/server.js';
import { DEMO_UPN } from '../../idp/store/users.js';
import { err as pc } from '../colors.js';
import { UsageError } from '../usage.js';

interface IdpFlags {
  port: string;
  host: string;
  data?: string;
  config?: string;
  redis?: string;
  fault: string[];
  json?: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  workers: string;
}

/** Registers `idp` and returns it (for `idp user …`). */
export function registerIdp(program: Command): Command {
  const idp = program
    .command('idp')
    .description(
      'run the reference identity provider: user realm, MEX, WS-Trust 1.3/2005 STS (https)',
    )
    .option('--port <n>', 'port (0: any free port, printed)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', 'data folder (keys, certificates, SQLite database)')
    .option('--config <file>', 'JSON configuration file')
    .option('--redis <url>', 'share replay and lockout state through Redis (several hosts)')
    .option(
      '--fault <switch>',
      `fault injection, repeatable: ${FAULT_SWITCHES.join(', ')}`,
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    .option(
      '--workers <n>',
      'run N processes on one port (node:cluster), sharing replay and lockout state through the data folder',
      '1',
    )
    .option(
      '--json',
      'first stdout line: {"mexUrl","realmUrl","sts13Url","sts2005Url","caFile","signingCertFile",…}',
    )
    .action(async (flags: IdpFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError('--port must be 0-65535');
      let faults: ReturnType<typeof parseFaultSwitches>;
      try {
        faults = parseFaultSwitches(flags.fault);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const workers = Number(flags.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64)
        throw new UsageError('--workers must be 1-64');
      const logger = jsonLogger(undefined, flags.logLevel);
      const config = flags.config === undefined ? DEFAULT_CONFIG : loadConfig(flags.config);
      const dataDir = flags.data ?? defaultDataDir();
      if (workers > 1 && !isIdpWorker()) {
        await runPrimary(workers, dataDir, config, flags, logger);
        return;
      }
      const idp = await startIdp({
        port,
        host: flags.host,
        dataDir,
        config,
        ...(flags.redis === undefined ? {} : { redisUrl: flags.redis }),
        faults,
        logger,
        demoUser: !isIdpWorker(),
      });
      if (isIdpWorker()) {
        reportReady(idp.origin);
        await untilSignal();
        await idp.close();
        cluster.worker?.disconnect();
        return;
      }
      const info = {
        mexUrl: idp.mexUrl,
        realmUrl: idp.realmUrl,
        sts13Url: idp.sts13Url,
        sts2005Url: idp.sts2005Url,
        caFile: idp.caFile,
        signingCertFile: idp.signingCertFile,
        adminTokenFile: idp.adminTokenFile,
        dataDir: idp.dataDir,
        demoUser: idp.demoUser,
      };
      if (flags.json === true) process.stdout.write(`${JSON.stringify(info)}\n`);
      else printHuman(info);
      await untilSignal();
      await idp.close();
    });
  return idp;
}

function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function runPrimary(
  workers: number,
  dataDir: string,
  config: IdpConfig,
  flags: IdpFlags,
  logger: Logger,
): Promise<void> {
  const { demoPassword } = await prepareDataDir(dataDir, config);
  const pool = await forkWorkers(workers, logger);
  const pki = await loadOrCreatePki(dataDir);
  const info = {
    mexUrl: `${pool.origin}${STS_PATHS.mex}`,
    realmUrl: `${pool.origin}/common/userrealm/`,
    sts13Url: `${pool.origin}${STS_PATHS.usernamemixed13}`,
    sts2005Url: `${pool.origin}${STS_PATHS.usernamemixed2005}`,
    caFile: pki.caFile,
    signingCertFile: pki.signingCertFile,
    dataDir: resolve(dataDir),
    demoUser: { upn: DEMO_UPN, password: demoPassword },
    workers,
  };
  if (flags.json === true) process.stdout.write(`${JSON.stringify(info)}\n`);
  else printHuman(info);
  await untilSignal();
  await pool.stop();
}

function printHuman(info: {
  mexUrl: string;
  realmUrl: string;
  sts13Url: string;
  sts2005Url: string;
  caFile: string;
  signingCertFile: string;
  adminTokenFile?: string;
  dataDir: string;
  demoUser: { upn: string; password: string | undefined };
}): void {
  const w = (s: string) => process.stdout.write(`${s}\n`);
  w(pc.bold(`psso-wstrust reference IdP listening on ${new URL(info.mexUrl).origin}`));
  w(`  MEX:                ${info.mexUrl}`);
  w(`  user realm:         ${info.realmUrl}<user>`);
  w(`  STS WS-Trust 1.3:   ${info.sts13Url}`);
  w(`  STS WS-Trust 2005:  ${info.sts2005Url}`);
  w(`  CA for clients:     ${info.caFile}`);
  w(`  token signing cert: ${info.signingCertFile}`);
  if (info.adminTokenFile !== undefined)
    w(`  admin token file:   ${info.adminTokenFile}  (POST /psso/devices)`);
  w(`  data folder:        ${info.dataDir}`);
  if (info.demoUser.password !== undefined) {
    w(
      `  demo user:          ${info.demoUser.upn}  password: ${info.demoUser.password}  (shown once)`,
    );
  } else {
    w(`  demo user:          ${info.demoUser.upn} (password shown when it was created)`);
  }
  w('');
  w(
    `Try: psso-wstrust login --mex ${info.mexUrl} --urn urn:federation:MicrosoftOnline --username ${info.demoUser.upn} --ca ${info.caFile}`,
  );
  w('Stop with Ctrl-C.');
}
