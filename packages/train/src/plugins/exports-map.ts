/**
 * Which file `import(name)` loads from a package folder: the `exports` map resolved with Node's
 * ESM conditions (the user's `--conditions`/`-C` first, then `import`, `node`, `default`), else
 * `main`, else `index.js`. Written out because Node resolves bare names only from the importing
 * module's folder, and recipes resolve plugins from their own folder.
 */

/** Node's user conditions (`--conditions=x`, `-C x`) from the process flags and NODE_OPTIONS. */
export function nodeUserConditions(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const args = [...execArgv, ...nodeOptions.split(/\s+/).filter(Boolean)];
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const m = /^(?:--conditions|-C)(?:=(.+))?$/.exec(arg);
    if (!m) continue;
    const value = m[1] ?? args[++i];
    if (value) out.push(value);
  }
  return out;
}

function pick(target: unknown, conditions: ReadonlySet<string>): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const hit = pick(t, conditions);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  if (target !== null && typeof target === 'object') {
    // Object key order decides, as in Node: the first key that is an active condition wins.
    for (const [key, value] of Object.entries(target)) {
      if (key !== 'default' && !conditions.has(key)) continue;
      const hit = pick(value, conditions);
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}

/**
 * The package-relative file for `subpath` (`.` = the package itself), or undefined when the
 * exports map does not expose it.
 * @example
 * ```ts
 * exportsEntry({ exports: { '.': { import: './dist/index.js', require: './dist/index.cjs' } } }, '.', ['import', 'default']); // './dist/index.js'
 * ```
 */
export function exportsEntry(manifest: { exports?: unknown; main?: string }, subpath: string, conditions: readonly string[]): string | undefined {
  const active = new Set(conditions);
  const { exports } = manifest;
  if (exports === undefined || exports === null) return subpath === '.' ? manifest.main ?? './index.js' : `./${subpath.replace(/^\.\//, '')}`;
  const isSubpathMap = typeof exports === 'object' && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
  if (!isSubpathMap) return subpath === '.' ? pick(exports, active) : undefined;
  return pick((exports as Record<string, unknown>)[subpath], active);
}

/** The conditions `import()` would use in this process: the user's, then `import`, `node`, `default`. */
export function importConditions(extra: readonly string[] = []): string[] {
  return [...new Set([...extra, ...nodeUserConditions(), 'import', 'node', 'default'])];
}
