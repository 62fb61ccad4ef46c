import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type Child } from './child-process.ts';
import { onFreePort } from './free-port.ts';

export interface RunningTurn extends Child {
  /** A `turn:` URL for browsers (UDP). */
  url: string;
  port: number;
  secret: string;
}

/**
 * A real coturn on loopback with the TURN REST secret (design.md §8 has the command line and why each flag). It
 * cannot bind port 0 and report it, so it takes a free port and, if that was taken meanwhile, another.
 */
export function startTurn(secret: string): Promise<RunningTurn> {
  return onFreePort(async (port) => {
    const dir = await mkdtemp(join(tmpdir(), 'dropline-turn-'));
    // prettier-ignore
    const args = [
      '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
      '--min-port=40000', '--max-port=40999', '--use-auth-secret', `--static-auth-secret=${secret}`,
      '--realm=dropline.test', '--allow-loopback-peers', '--no-tls', '--no-dtls', '--no-cli', '--fingerprint',
      '--log-file=stdout', '--simple-log', '--verbose', `--pidfile=${join(dir, 'pid')}`, `--userdb=${join(dir, 'turndb')}`,
    ];
    try {
      const child = await startChild('turnserver', args, {
        name: 'turnserver',
        ready: (output) => {
          // coturn retries a taken port for ever instead of exiting.
          if (output.includes('Cannot bind')) throw new Error(`turnserver could not bind port ${port}`);
          return output.includes('Total General servers');
        },
      });
      return {
        ...child,
        url: `turn:127.0.0.1:${port}?transport=udp`,
        port,
        secret,
        stop: async () => {
          await child.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  });
}
