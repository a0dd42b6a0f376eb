/**
 * `test` and `expect` for README snippets, which run as modules rather than as collected test
 * files: `test(name, fn)` runs `fn` at once and the runner awaits it ({@link settleTests}) before
 * the snippet counts as passed. `expect` is vitest's, so the assertions are the real ones.
 */
import { expect as vitestExpect } from 'vitest';

const pending: Promise<void>[] = [];

/**
 * A README's `test('name', fn)`: starts `fn` at once (a README test is run, not collected) and records
 * its outcome for {@link settleTests}. The assertions inside are the real ones (`expect` is vitest's).
 */
export function test(name: string, fn: () => unknown): void {
  const outcome = Promise.resolve()
    .then(fn)
    .then(
      () => undefined,
      (error: unknown) => {
        throw new Error(`test('${name}') failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      },
    );
  outcome.catch(() => undefined); // reported by settleTests, not as an unhandled rejection meanwhile
  pending.push(outcome);
}
export const expect = vitestExpect;

/** Awaits the tests the last snippet started; throws the first failure. */
export async function settleTests(): Promise<number> {
  const started = pending.splice(0);
  await Promise.all(started);
  return started.length;
}
