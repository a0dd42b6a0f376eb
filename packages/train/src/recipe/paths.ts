/**
 * Paths in a recipe. Inputs (data, identity lists, landmarks, evaluation sets) are relative to the
 * recipe's folder, so a recipe travels with its data; `output.dir` is relative to the current
 * folder, like an `--out` flag. `${VAR}` / `${VAR:-default}` expand from the environment (e.g.
 * `${FR_DATA_DIR:-../../../shared/data}/celeba-crops`).
 */
import { isAbsolute, resolve } from 'node:path';

/** The input path fields, by their dotted path in the recipe. */
const INPUT_PATHS = [
  /^data\.train\.(imageFolder|rec|include|exclude)$/,
  /^data\.align\.landmarks$/,
  /^evaluation\.sets\.\d+\.(pairs|images|bin)$/,
];

/** True for the dotted path of an input path field. */
export function isInputPath(path: readonly string[]): boolean {
  const dotted = path.join('.');
  return INPUT_PATHS.some((re) => re.test(dotted));
}

/** Expands `${VAR}` and `${VAR:-default}`; throws naming the field when a variable is unset with no default. */
export function expandEnv(text: string, where: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw new Error(`${where}: environment variable ${name} is not set (write \${${name}:-default} for a default)`);
  });
}

/**
 * Returns a copy of a validated recipe with every input path expanded and made absolute from
 * `recipeDir`, and `output.dir` absolute from `cwd` (default `runs/<name>`).
 */
export function resolveRecipePaths<R extends { name?: string; output: { dir?: string } }>(recipe: R, recipeDir: string, cwd: string, env: Readonly<Record<string, string | undefined>> = process.env): R {
  const visit = (value: unknown, path: string[]): unknown => {
    if (typeof value === 'string') {
      if (!isInputPath(path)) return value;
      const expanded = expandEnv(value, path.join('.'), env);
      return isAbsolute(expanded) ? expanded : resolve(recipeDir, expanded);
    }
    if (Array.isArray(value)) {
      // An inline identity list holds names, not paths.
      if (isInputPath(path)) return value;
      return value.map((v, i) => visit(v, [...path, String(i)]));
    }
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v, [...path, k])]));
    }
    return value;
  };
  const out = visit(recipe, []) as R;
  const dir = expandEnv(recipe.output.dir ?? `runs/${recipe.name ?? 'recipe'}`, 'output.dir', env);
  return { ...out, output: { ...out.output, dir: resolve(cwd, dir) } };
}
