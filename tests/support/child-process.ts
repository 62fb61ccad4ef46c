import { spawn, type ChildProcess } from 'node:child_process';

export interface Child {
  process: ChildProcess;
  /** Everything it printed so far, for assertions and failure reports. */
  output(): string;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<void>;
}

/** Starts a program whose output is kept, and waits until `ready()` holds (polled; no fixed sleep). */
export async function startChild(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; ready: (output: string) => boolean | Promise<boolean>; name: string; timeoutMs?: number },
): Promise<Child> {
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited early (${child.exitCode}):\n${output}`);
    if (await options.ready(output)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { process: child, output: () => output, stop };
}
