import { spawn, type ChildProcess } from 'node:child_process';

export interface Child {
  process: ChildProcess;
  /** Everything it printed so far, for assertions and failure reports. */
  output(): string;
  /** Sends SIGTERM, waits a bounded time for the exit, then SIGKILLs: a hung child never hangs the suite. */
  stop(): Promise<void>;
}

/** How long a child gets to exit on SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000;

/** Ends `child`: SIGTERM, then SIGKILL if it has not exited within STOP_GRACE_MS. Resolves once it has exited. */
export function stopProcess(child: ChildProcess, graceMs = STOP_GRACE_MS): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts a program whose output is kept, and waits until `ready()` holds (polled; no fixed sleep). `ready` may
 * throw to say the start failed (a port already taken, say): the child is then stopped and the error passed on.
 */
export async function startChild(
  command: string,
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    ready: (output: string) => boolean | Promise<boolean>;
    name: string;
    timeoutMs?: number;
    /** Start it in a session (and process group) of its own, as the bench does to give coturn its own priority. */
    detached?: boolean;
  },
): Promise<Child> {
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  let failedToSpawn: Error | undefined;
  void spawnError.then((error) => (failedToSpawn = error));
  const stop = () => stopProcess(child);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (failedToSpawn) throw new Error(`${options.name} could not be started: ${failedToSpawn.message}`);
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${options.name} exited early (${child.exitCode ?? child.signalCode}):\n${output}`);
    let ready: boolean;
    try {
      ready = await options.ready(output);
    } catch (error) {
      await stop();
      throw error;
    }
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} did not start within ${options.timeoutMs ?? 30_000} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { process: child, output: () => output, stop };
}
