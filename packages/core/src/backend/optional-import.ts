/**
 * Run-time imports of optional packages (backend packages, native bindings), whose absence is a
 * reason to report, never a crash. The specifier is a variable, marked for Vite, so bundlers leave
 * the import alone instead of failing on a package the app did not install.
 */

/**
 * The first line of an error's message (native loaders add long stacks and hints after it), for
 * a provider's one-line skip reason.
 * @example
 * ```ts
 * import { errorFirstLine } from '@fr/core';
 * errorFirstLine(new Error('driver crashed\n  at native code')); // 'driver crashed'
 * ```
 */
export function errorFirstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

export type OptionalImport<T> =
  | { readonly ok: true; readonly module: T }
  | { readonly ok: false; readonly missing: boolean; readonly reason: string };

/** Node's "cannot find package X" (ESM and CommonJS loaders), for X itself and not one of its dependencies. */
function isMissing(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const message = errorFirstLine(error);
  return message.includes(`'${packageName}'`) || message.includes(`"${packageName}"`);
}

/**
 * Imports `packageName` if it is installed. Never throws: a missing package (`missing: true`) or one
 * that fails to load (a native library that does not start, a version mismatch) gives a reason.
 * @example
 * ```ts
 * const dawn = await importOptional<{ create(flags: string[]): unknown }>('webgpu');
 * if (!dawn.ok) return { ok: false, reason: dawn.reason };
 * ```
 */
export async function importOptional<T = unknown>(packageName: string): Promise<OptionalImport<T>> {
  try {
    return { ok: true, module: (await import(/* @vite-ignore */ packageName)) as T };
  } catch (error) {
    const missing = isMissing(error, packageName);
    return { ok: false, missing, reason: missing ? `${packageName} is not installed` : `${packageName} failed to load (${errorFirstLine(error)})` };
  }
}
