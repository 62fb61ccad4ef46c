import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type Child } from './child-process.ts';
import { freePort } from './free-port.ts';

export interface RunningTurn extends Child {
  /** A `turn:` URL for browsers (UDP). */
  url: string;
  secret: string;
}

/** A real coturn on loopback with the TURN REST secret (design.md §8 has the command line and why each flag). */
export async function startTurn(secret: string): Promise<RunningTurn> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'dropline-turn-'));
  // prettier-ignore
  const args = [
    '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
    '--min-port=40000', '--max-port=40999', '--use-auth-secret', `--static-auth-secret=${secret}`,
    '--realm=dropline.test', '--allow-loopback-peers', '--no-tls', '--no-dtls', '--no-cli', '--fingerprint',
    '--log-file=stdout', '--simple-log', '--verbose', `--pidfile=${join(dir, 'pid')}`, `--userdb=${join(dir, 'turndb')}`,
  ];
  const child = await startChild('turnserver', args, { name: 'turnserver', ready: (output) => output.includes('Total General servers') });
  return {
    ...child,
    url: `turn:127.0.0.1:${port}?transport=udp`,
    secret,
    stop: async () => {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
