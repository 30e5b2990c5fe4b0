/**
 * `psso-wstrust idp [--port N] [--host H] [--public-url URL] [--tls-cert FILE --tls-key FILE |
 * --tls-hostname NAME…] [--data DIR] [--config FILE] [--database URL] [--redis URL] [--fault …]
 * [--json]`:
 * the reference identity provider, on an embedded default with no options. The port chosen at
 * first start is kept in the data folder (`--port` overrides it), so restarts keep every URL.
 *
 * @module
 */

import cluster from 'node:cluster';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import {
  DEFAULT_CONFIG,
  defaultDataDir,
  type IdpConfig,
  jsonLogger,
  type Logger,
  loadConfig,
  startIdp,
} from 'psso-wstrust-idp';
import type { TlsFiles } from 'psso-wstrust-idp/admin';
import {
  canonicalTlsName,
  DEMO_UPN,
  FAULT_SWITCHES,
  forkWorkers,
  idpEndpoints,
  isIdpWorker,
  isPostgresUrl,
  parseFaultSwitches,
  parsePublicUrl,
  pkiOptionsFor,
  prepareDataDir,
  probePort,
  readSavedPort,
  redactDatabaseUrl,
  reportReady,
  savePort,
} from 'psso-wstrust-idp/admin';
import { printStartInfo, startInfo } from '../idp-banner.js';
import { UsageError } from '../usage.js';

interface IdpFlags {
  port?: string;
  host: string;
  publicUrl?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsHostname: string[];
  data?: string;
  config?: string;
  database?: string;
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
    .option(
      '--port <n>',
      'port (0: any free port); default: the port kept in the data folder, else any free port',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--public-url <url>',
      'origin clients reach (https://host[:port]), advertised in MEX, realm, issuer, endpoints',
    )
    .option('--tls-cert <file>', 'your own TLS certificate (PEM, chain after it); with --tls-key')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM, not readable by others)')
    .option(
      '--tls-hostname <name>',
      'extra DNS name or IP address of the generated TLS certificate, repeatable',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--data <dir>', 'data folder (keys, certificates, SQLite database)')
    .option('--config <file>', 'JSON configuration file')
    .option(
      '--database <url>',
      'keep users, devices, keys, refresh tokens, nonces, replay and lockout in PostgreSQL (postgres://…), shared by several hosts; default: SQLite in the data folder',
    )
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
      'run N processes on one port (node:cluster), sharing every kind of state through the data folder (or --database)',
      '1',
    )
    .option(
      '--json',
      'first stdout line: {"mexUrl","realmUrl","sts13Url","sts2005Url","endpoints","caFile",…}',
    )
    .action(async (flags: IdpFlags) => {
      const network = networkOptions(flags);
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
      const database = flags.database ?? config.database;
      if (database !== undefined && !isPostgresUrl(database))
        throw new UsageError('--database must be a postgres:// or postgresql:// URL');
      const dataDir = flags.data ?? defaultDataDir();
      const saved = await readSavedPort(dataDir);
      const port = isIdpWorker()
        ? Number(process.env.PSSO_IDP_PORT ?? '0')
        : (network.port ?? saved ?? 0);
      if (workers > 1 && !isIdpWorker()) {
        await runPrimary(workers, { dataDir, database }, config, flags, logger, network, port);
        return;
      }
      const idp = await startIdp({
        port,
        host: flags.host,
        ...network.options,
        dataDir,
        config,
        ...(database === undefined ? {} : { database }),
        ...(flags.redis === undefined ? {} : { redisUrl: flags.redis }),
        faults,
        logger,
        demoUser: !isIdpWorker(),
      });
      if (isIdpWorker()) {
        reportReady(idp.origin, idp.port);
        await untilSignal();
        await idp.close();
        cluster.worker?.disconnect();
        return;
      }
      if (idp.port !== saved) await savePort(dataDir, idp.port);
      const info = startInfo({
        caFile: idp.caFile,
        signingCertFile: idp.signingCertFile,
        adminTokenFile: idp.adminTokenFile,
        dataDir: resolve(idp.dataDir),
        ...(database === undefined ? {} : { database: redactDatabaseUrl(database) }),
        demoUser: idp.demoUser,
        origin: idp.origin,
        port: idp.port,
        endpoints: idp.endpoints,
        tlsCertFile: idp.tlsCertFile,
        tlsGenerated: idp.tlsGenerated,
        caReplaced: idp.caReplaced,
      });
      printStartInfo(info, flags.json === true);
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

/** The network flags, checked: port, public URL, TLS files or names. */
function networkOptions(flags: IdpFlags): {
  port: number | undefined;
  options: { publicUrl?: string; tlsHostnames?: string[]; tls?: TlsFiles };
} {
  let port: number | undefined;
  if (flags.port !== undefined) {
    port = Number(flags.port);
    if (flags.port.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError('--port must be 0-65535');
  }
  if (flags.publicUrl !== undefined) {
    try {
      parsePublicUrl(flags.publicUrl);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  if (flags.tlsCert !== undefined && flags.tlsHostname.length > 0)
    throw new UsageError('--tls-hostname names the generated certificate: not with --tls-cert');
  for (const name of flags.tlsHostname) {
    try {
      canonicalTlsName(name);
    } catch (e) {
      throw new UsageError(`--tls-hostname: ${(e as Error).message}`);
    }
  }
  return {
    port,
    options: {
      ...(flags.publicUrl === undefined ? {} : { publicUrl: flags.publicUrl }),
      ...(flags.tlsHostname.length === 0 ? {} : { tlsHostnames: flags.tlsHostname }),
      ...(flags.tlsCert === undefined || flags.tlsKey === undefined
        ? {}
        : { tls: { certFile: flags.tlsCert, keyFile: flags.tlsKey } }),
    },
  };
}

async function runPrimary(
  workers: number,
  { dataDir, database }: { readonly dataDir: string; readonly database: string | undefined },
  config: IdpConfig,
  flags: IdpFlags,
  logger: Logger,
  network: ReturnType<typeof networkOptions>,
  port: number,
): Promise<void> {
  if (port !== 0) await probePort(flags.host, port);
  const prepared = await prepareDataDir(dataDir, config, pkiOptionsFor(network.options), database);
  // The workers listen on the port resolved here (node:cluster shares one socket among them).
  process.env.PSSO_IDP_PORT = String(port);
  const pool = await forkWorkers(workers, logger);
  if (pool.port !== undefined && pool.port !== (await readSavedPort(dataDir)))
    await savePort(dataDir, pool.port);
  const { pki } = prepared;
  const info = startInfo({
    caFile: pki.caFile,
    signingCertFile: pki.signingCertFile,
    adminTokenFile: prepared.adminTokenFile,
    dataDir: resolve(dataDir),
    ...(database === undefined ? {} : { database: redactDatabaseUrl(database) }),
    demoUser: { upn: DEMO_UPN, password: prepared.demoPassword },
    origin: pool.origin,
    port: pool.port,
    endpoints: idpEndpoints(pool.origin),
    tlsCertFile: pki.tlsCertFile,
    tlsGenerated: pki.tlsGenerated,
    caReplaced: pki.caReplaced,
    workers,
  });
  printStartInfo(info, flags.json === true);
  await untilSignal();
  await pool.stop();
}
