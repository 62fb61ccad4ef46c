import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Everything the web app's bundle is built from: when any is newer than the bundle, the bundle is stale. */
const WEB_SOURCES = ['web', 'public', 'signal/protocol', 'vite.config.ts', 'package-lock.json'];
const WEB_BUNDLE = 'dist/index.html';

/** Compiled from web/src/i18n/messages/ at every run: its files' times say nothing about the sources. */
const GENERATED = join('web', 'src', 'i18n', 'paraglide');

function newestChange(path: string): number {
  if (path === GENERATED) return -Infinity;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestChange(join(path, name))), stat.mtimeMs);
}

function bundleTime(): number {
  try {
    return statSync(WEB_BUNDLE).mtimeMs;
  } catch {
    return -Infinity; // never built
  }
}

/**
 * Vitest global setup: bundles the signaler before any test starts it (esbuild takes well under a second), and
 * rebuilds the web app when its sources changed since the last build, so a test file run on its own with
 * `vitest run` never serves a missing or stale `dist/`. `npm test` has built both already.
 */
export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build:server'], { stdio: 'inherit' });
  if (Math.max(...WEB_SOURCES.map(newestChange)) > bundleTime()) execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
}
