import { afterAll, beforeAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startChild, type Child } from './child-process.ts';
import { onFreePort } from './free-port.ts';
import { startSignalServer, type RunningServer } from './signal-server.ts';

/** A real coturn on loopback with the TURN REST secret (design.md §8 has the command line and why each flag). */
export class RunningTurn implements Child {
  #child: Child;

  private constructor(
    child: Child,
    readonly port: number,
    readonly secret: string,
    private readonly dir: string,
    private readonly ownSession: boolean,
  ) {
    this.#child = child;
  }

  /**
   * Starts one on a free port. coturn cannot bind port 0 and report it, so it takes a free port and, if that was
   * taken meanwhile, another. With `ownSession` it leads a session (and process group) of its own, so the bench can
   * raise its priority apart from everything else (see raisePriority in udp-delay-proxy.ts).
   */
  static start(secret: string, { ownSession = false }: { ownSession?: boolean } = {}): Promise<RunningTurn> {
    return onFreePort(async (port) => {
      const dir = await mkdtemp(join(tmpdir(), 'dropline-turn-'));
      try {
        return new RunningTurn(await RunningTurn.#spawn(port, secret, dir, ownSession), port, secret, dir, ownSession);
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    });
  }

  static #spawn(port: number, secret: string, dir: string, ownSession: boolean): Promise<Child> {
    // prettier-ignore
    const args = [
      '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
      '--min-port=40000', '--max-port=40999', '--use-auth-secret', `--static-auth-secret=${secret}`,
      '--realm=dropline.test', '--allow-loopback-peers', '--no-tls', '--no-dtls', '--no-cli', '--fingerprint',
      '--log-file=stdout', '--simple-log', '--verbose', `--pidfile=${join(dir, 'pid')}`, `--userdb=${join(dir, 'turndb')}`,
    ];
    return startChild('turnserver', args, {
      name: 'turnserver',
      detached: ownSession,
      ready: (output) => {
        // coturn retries a taken port for ever instead of exiting.
        if (output.includes('Cannot bind')) throw new Error(`turnserver could not bind port ${port}`);
        return output.includes('Total General servers');
      },
    });
  }

  /** A `turn:` URL for browsers (UDP). */
  get url(): string {
    return `turn:127.0.0.1:${this.port}?transport=udp`;
  }

  get process(): ChildProcess {
    return this.#child.process;
  }

  /** What the running relay printed since it (last) started. */
  output(): string {
    return this.#child.output();
  }

  /** Kills the relay at once (SIGKILL: every allocation is gone), as a crashed or unplugged relay would go. */
  kill(): Promise<void> {
    const child = this.#child.process;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Starts it again on the same port with the same secret: the signaler's credentials stay good. */
  async restart(): Promise<void> {
    this.#child = await RunningTurn.#spawn(this.port, this.secret, this.dir, this.ownSession);
  }

  async stop(): Promise<void> {
    await this.#child.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

export const startTurn = (secret: string, options?: { ownSession?: boolean }): Promise<RunningTurn> => RunningTurn.start(secret, options);

/**
 * Registers hooks that run a coturn and a signaler that hands browsers its credentials with a relay-only policy,
 * so every packet between the browsers crosses the relay. Read the fields inside tests.
 */
export function useRelayOnlySignaler(): { turn: RunningTurn; server: RunningServer } {
  const holder = {} as { turn: RunningTurn; server: RunningServer };
  beforeAll(async () => {
    holder.turn = await startTurn(randomBytes(18).toString('base64url'));
    const { url, secret } = holder.turn;
    holder.server = await startSignalServer({ TURN_URLS: url, TURN_SECRET: secret, TURN_TTL_SECONDS: '600', ICE_TRANSPORT_POLICY: 'relay' });
  });
  afterAll(async () => {
    await holder.server?.stop();
    await holder.turn?.stop();
  });
  return holder;
}
