import { startChild, type Child } from './child-process.ts';
import { freePort } from './free-port.ts';

export interface RunningServer extends Child {
  url: string;
  port: number;
}

/** The signaler as `npm run build` bundles it and `npm start` runs it. */
export const BUILT_SERVER = 'dist-server/server.mjs';

/**
 * Starts the signaler exactly as `npm start` runs it (the built bundle, plain
 * node), on a free loopback port, with no ICE servers: loopback host candidates
 * are all a test needs and these machines reach no public STUN server.
 */
export async function startSignalServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await startChild(process.execPath, [BUILT_SERVER], {
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
