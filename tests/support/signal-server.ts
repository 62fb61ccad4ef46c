import { startChild, type Child } from './child-process.ts';
import { freePort } from './free-port.ts';

export interface RunningServer extends Child {
  url: string;
  port: number;
}

/**
 * Starts the signaler exactly as `npm start` runs it (after the build), on a
 * free loopback port, with no ICE servers: loopback host candidates are all a
 * test needs and these machines reach no public STUN server.
 */
export async function startSignalServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await startChild(process.execPath, ['--import', 'tsx', 'signal/server.ts'], {
    name: 'signal server',
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ICE_SERVERS: '[]', ...env },
    ready: async () => {
      try {
        return (await fetch(`${url}/healthz`)).ok;
      } catch {
        return false; // not listening yet
      }
    },
  });
  return { ...child, url, port };
}
