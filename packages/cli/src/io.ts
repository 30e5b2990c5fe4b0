/**
 * CLI input: documents from files or URLs, passwords from stdin or a muted prompt.
 *
 * @module
 */
import { type FileHandle, open, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { UsageError } from './usage.js';

/** Everything on stdin, with one trailing line break removed (what `echo pw |` adds). */
export async function readStdinLine(limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new UsageError('stdin is larger than allowed for a password');
    chunks.push(buf);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks for a password on the terminal without echoing it. */
export async function promptPassword(prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) process.stderr.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = new Promise<string>((resolve) => rl.question(prompt, resolve));
    muted = true;
    return await answer;
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/** The password: from stdin when asked, else a prompt when stdin is a terminal. */
export async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return readStdinLine();
  if (!process.stdin.isTTY)
    throw new UsageError('no terminal to ask for the password: use --password-stdin');
  return promptPassword('Password: ');
}

/** A file's bytes. */
export async function readDocument(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Largest document read from stdin (the XML parser's own default limit). */
export const STDIN_DOCUMENT_LIMIT = 1024 * 1024;

/**
 * At most `max` bytes from the start of a file: a larger file (or a device such as /dev/zero)
 * is never read whole, and what it returns is still over the caller's limit, so the caller's own
 * size check refuses it with its own error.
 */
async function readDocumentPrefix(path: string, max: number): Promise<Uint8Array> {
  let file: FileHandle | undefined;
  try {
    file = await open(path, 'r');
    const buf = Buffer.alloc(max);
    let size = 0;
    while (size < max) {
      const { bytesRead } = await file.read(buf, size, max - size, null);
      if (bytesRead === 0) break;
      size += bytesRead;
    }
    return buf.subarray(0, size);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  } finally {
    await file?.close();
  }
}

/**
 * A file's bytes, or stdin's for `-` (at most `limit` bytes). A file is read no further than
 * `limit + 1` bytes: over the limit, the caller's size check refuses it as it would the whole.
 */
export async function readInput(path: string, limit = STDIN_DOCUMENT_LIMIT): Promise<Uint8Array> {
  if (path !== '-') return readDocumentPrefix(path, limit + 1);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new UsageError(`stdin is larger than ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** PEM certificate files (`--signing-cert`, repeatable), each checked to hold a certificate. */
export async function readCertificates(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    const text = Buffer.from(await readDocument(path)).toString('utf8');
    if (!text.includes('-----BEGIN CERTIFICATE-----'))
      throw new UsageError(`${path} holds no PEM certificate`);
    out.push(text);
  }
  return out;
}
