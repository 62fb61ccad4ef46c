import { startChild, type Child } from './child-process.ts';

export interface RunningServer extends Child {
  url: string;
  port: number;
}

/** The signaler as `npm run build` bundles it and `npm start` runs it. */
export const BUILT_SERVER = 'dist-server/server.mjs';

/** The port from the signaler's `listening` log line, once it has printed it. */
const listeningPort = (output: string): number | undefined => {
  const line = output.split('\n').find((l) => l.includes('"event":"listening"'));
  return line ? (JSON.parse(line) as { port: number }).port : undefined;
};

/**
 * Starts the signaler exactly as `npm start` runs it (the built bundle, plain
 * node) on loopback, with no ICE servers: loopback host candidates are all a
 * test needs and these machines reach no public STUN server. It binds port 0
 * and reports the port it got, so no other process can take it in between;
 * pass `PORT` in `env` only to start it again where an earlier one listened.
 */
export async function startSignalServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const child = await startChild(process.execPath, [BUILT_SERVER], {
    name: 'signal server',
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ICE_SERVERS: '[]', ...env },
    ready: (output) => listeningPort(output) !== undefined,
  });
  const port = listeningPort(child.output())!;
  return { ...child, url: `http://127.0.0.1:${port}`, port };
}
