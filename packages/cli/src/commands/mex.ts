/**
 * `psso-wstrust mex <url|file> [--json]`: the endpoints a MEX document offers and the one chosen.
 *
 * @module
 */
import type { Command } from 'commander';
import type { MexEndpoint, MexMetadata } from 'psso-wstrust';
import { parseMex } from 'psso-wstrust';
import { out as pc } from '../colors.js';
import { type CommandFlags, commandHttp, withCommandOptions } from '../command-options.js';
import { type HttpFlags, httpOptions, withHttpOptions } from '../http-options.js';
import { readDocument } from '../io.js';
import { done, printJson, progress } from '../output.js';

export function registerMex(program: Command): void {
  withHttpOptions(
    withCommandOptions(program.command('mex'))
      .description(
        'fetch (https URL) or read (file) a MEX document and list its WS-Trust endpoints',
      )
      .argument('<url|file>', 'the MEX URL or a saved MEX document')
      .option(
        '--json',
        'print {"selected", "usernamePassword", "windowsIntegrated", "skipped"} as JSON',
      ),
  ).action(async (source: string, flags: HttpFlags & CommandFlags & { json?: boolean }) => {
    const json = flags.json === true;
    const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
    if (!json) progress(isUrl ? `GET ${source}` : `reading ${source}`);
    const started = performance.now();
    let document: Uint8Array;
    let mex: MexMetadata;
    if (isUrl) {
      const { http, dispose } = commandHttp(httpOptions(flags), flags);
      const { mexRequest, processMexResponse } = await import('psso-wstrust');
      const response = await mexRequest(source, http).finally(dispose);
      document = response.body;
      mex = processMexResponse(response);
    } else {
      document = await readDocument(source);
      mex = parseMex(document);
    }
    const selected = mex.usernamePassword[0] as MexEndpoint;
    if (json) {
      printJson({
        selected,
        usernamePassword: mex.usernamePassword,
        windowsIntegrated: mex.windowsIntegrated,
        skipped: mex.skipped,
      });
      return;
    }
    done(
      `MEX parsed in ${(performance.now() - started).toFixed(1)} ms (${document.byteLength} bytes)`,
    );
    console.log(pc.bold('Username/password endpoints (preference order):'));
    for (const e of mex.usernamePassword) {
      const mark = e === selected ? pc.green('→ selected') : '';
      console.log(`  WS-Trust ${e.version.padEnd(4)}  ${e.address}  ${mark}`);
    }
    console.log(pc.bold('Windows-integrated endpoints (diagnostics only):'));
    if (mex.windowsIntegrated.length === 0) console.log('  none');
    for (const e of mex.windowsIntegrated)
      console.log(`  WS-Trust ${e.version.padEnd(4)}  ${e.address}`);
    if (mex.skipped.length > 0) {
      console.log(pc.bold('Refused username/password ports:'));
      for (const s of mex.skipped)
        console.log(`  WS-Trust ${s.version.padEnd(4)}  ${s.address}  (${s.reason})`);
    }
  });
}
