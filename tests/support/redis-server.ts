import { startChild, type Child } from './child-process.ts';
import { onFreePort } from './free-port.ts';

export interface RunningRedis extends Child {
  url: string;
}

/** A throwaway redis-server on a free loopback port, keeping nothing on disk. */
export function startRedis(): Promise<RunningRedis> {
  return onFreePort(async (port) => {
    const child = await startChild('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      name: 'redis-server',
      ready: (output) => output.includes('Ready to accept connections'),
    });
    return { ...child, url: `redis://127.0.0.1:${port}` };
  });
}
