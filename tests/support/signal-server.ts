import { startChild, type Child } from './child-process.ts';

export interface RunningServer extends Child {
  url: string;
  port: number;
  /** Where /metrics answers, when the server was started with METRICS_PORT. */
  metricsUrl: string | undefined;
  /**
   * Stops the signaler as an operator's restart does (SIGTERM, it closes its sockets) and starts it again on the
   * same ports with the same settings: the rooms it kept in memory are gone, its URL is the same.
   */
  restart(): Promise<void>;
}

/** The signaler as `npm run build` bundles it and `npm start` runs it. */
export const BUILT_SERVER = 'dist-server/server.mjs';

/** The port from the signaler's log line for `event` (`listening`, `metrics-listening`), once it has printed it. */
const loggedPort = (output: string, event: string): number | undefined => {
  const line = output.split('\n').find((l) => l.includes(`"event":"${event}"`));
  return line ? (JSON.parse(line) as { port: number }).port : undefined;
};

/**
 * Starts the signaler exactly as `npm start` runs it (the built bundle, plain
 * node) on loopback, with no ICE servers: loopback host candidates are all a
 * test needs and these machines reach no public STUN server. It binds port 0
 * and reports the port it got, so no other process can take it in between;
 * pass `PORT` in `env` only to start it again where an earlier one listened. With `METRICS_PORT: '0'` its
 * metrics port is reported the same way.
 */
export async function startSignalServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const start = (ports: Record<string, string>): Promise<Child> =>
    startChild(process.execPath, [BUILT_SERVER], {
      name: 'signal server',
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ICE_SERVERS: '[]', ...env, ...ports },
      ready: (output) => loggedPort(output, 'listening') !== undefined && (!env.METRICS_PORT || loggedPort(output, 'metrics-listening') !== undefined),
    });
  let child = await start({});
  const port = loggedPort(child.output(), 'listening')!;
  const metricsPort = loggedPort(child.output(), 'metrics-listening');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    metricsUrl: metricsPort === undefined ? undefined : `http://127.0.0.1:${metricsPort}`,
    get process() {
      return child.process;
    },
    output: () => child.output(),
    stop: () => child.stop(),
    restart: async () => {
      await child.stop();
      child = await start({ PORT: String(port), ...(metricsPort !== undefined && { METRICS_PORT: String(metricsPort) }) });
    },
  };
}
