/** Facts about the JS runtime that backend selection needs, without importing Node modules eagerly. */

export const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof process.versions === 'object' && process.versions != null && !!process.versions.node;

/** Logical CPU count (Node: os.availableParallelism; browser: navigator.hardwareConcurrency). */
export async function cpuCount(): Promise<number> {
  if (isNode()) {
    const os = await import('node:os');
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}

/** Reads an environment variable in Node; undefined in a browser. */
export function readEnv(name: string): string | undefined {
  return isNode() ? process.env[name] : undefined;
}
