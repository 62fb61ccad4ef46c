import { execFileSync } from 'node:child_process';

/**
 * Vitest global setup: bundles the signaler before any test starts it, so a
 * test run straight from `vitest` never meets a missing or stale bundle
 * (esbuild takes well under a second; `npm test` has built it already).
 */
export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build:server'], { stdio: 'inherit' });
}
