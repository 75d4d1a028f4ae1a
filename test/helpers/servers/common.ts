// Shared by the server starters: binary checks (skip locally, fail under CI=true), temp
// folders, a child process that is ready when it prints a line, and the lifecycle that
// ties them together (startInTempDir).
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running test server. `stop()` kills it and removes its data; it never rejects. */
export interface TestServer {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Whether `binary` exists. Missing: under CI=true this throws (the suite must not pass
 * without its server); otherwise one line names the Debian package and the suite skips.
 */
export function hasServer(binary: string, debianPackage: string): boolean {
  if (existsSync(binary)) return true;
  const line = `${binary} not found: install the Debian package ${debianPackage}`;
  if (process.env.CI === 'true') throw new Error(`${line} (CI=true: a missing server fails the run)`);
  console.log(`skipping: ${line}`);
  return false;
}

/** A new temp folder, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `sw-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(cmd: string, args: string[], options: SpawnOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}:\n${out}`))));
  });
}

/**
 * Starts a long-running server and resolves once its output matches `ready`; rejects
 * (with the output) when it exits first. The returned stop() sends SIGTERM, then SIGKILL
 * if it has not exited after `killAfterMs`.
 */
export function startProcess(cmd: string, args: string[], ready: RegExp, options: SpawnOptions = {}, killAfterMs = 10_000): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let up = false;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      await exited;
      clearTimeout(timer);
    };
    const onData = (d: Buffer) => {
      out += d.toString();
      if (!up && ready.test(out)) {
        up = true;
        resolve({ child, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (!up) reject(new Error(`${cmd} exited (${code ?? signal}) before it was ready:\n${out}`));
    });
  });
}

/** What a starter gives {@link startInTempDir}: its port, how to stop it, and its own fields. */
export type Started<E extends object> = E & { readonly port: number; stop(): Promise<void> };

/**
 * Runs `start` in a new temp folder (prefix `prefix`) and returns its server on 127.0.0.1.
 * The server's stop() calls `start`'s stop (its rejection ignored: stop never rejects)
 * and then removes the folder; when `start` fails, the folder is removed and the error
 * passes on.
 */
export async function startInTempDir<E extends object>(prefix: string, start: (dir: string) => Promise<Started<E>>): Promise<TestServer & E> {
  const { dir, remove } = tempDir(prefix);
  try {
    const started = await start(dir);
    return {
      ...started,
      host: '127.0.0.1',
      stop: async () => {
        await started.stop().catch(() => {});
        remove();
      },
    };
  } catch (err) {
    remove();
    throw err;
  }
}
