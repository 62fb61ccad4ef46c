import { execFileSync } from 'node:child_process';

/**
 * Vitest global setup: compiles the message files, which unit tests import through app code, once before any
 * test runs. In a process of its own, which exits when done: the inlang SDK leaves handles open after compiling,
 * which would keep vitest from exiting.
 */
export default function setup(): void {
  execFileSync('npx', ['tsx', 'scripts/compile-messages.ts'], { stdio: 'inherit' });
}
