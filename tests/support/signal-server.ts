import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.ts';

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the server printed, for assertions on its logs and for failure reports. */
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts the signaler exactly as `npm start` runs it (after the build), on a
 * free loopback port, with no ICE servers: loopback host candidates are all a
 * test needs and these machines reach no public STUN server.
 */
export async function startSignalServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'signal/server.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ICE_SERVERS: '[]', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`signal server exited early:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`signal server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    process: child,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
