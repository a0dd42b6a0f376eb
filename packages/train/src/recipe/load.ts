/** Reading a recipe file (JSON or YAML), applying `--set` overrides, validating, resolving paths. */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { applyOverrides, parseOverride, type Override } from './overrides.js';
import { RecipeError, describeIssues } from './errors.js';
import { isInputPath, resolveRecipePaths } from './paths.js';
import { recipeSchema, type Recipe } from './schema.js';

/** A validated recipe and where it came from. */
export interface LoadedRecipe {
  /** Every default filled in, every path absolute. */
  readonly recipe: Recipe & { readonly name: string; readonly output: Recipe['output'] & { readonly dir: string } };
  /** The recipe file. */
  readonly file: string;
  /** Its folder: where input paths and plugin packages are resolved from (then the current folder). */
  readonly dir: string;
}

/** Options of {@link loadRecipe}. */
export interface LoadRecipeOptions {
  /** `field.path=value` strings (as `--set` takes them), applied in order before validation. */
  readonly set?: readonly string[];
  /** Folder for `output.dir` and for override paths (default `process.cwd()`). */
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Parses recipe text by the file's extension (`.json`, `.yaml`, `.yml`). */
export function parseRecipeText(text: string, file: string): unknown {
  const ext = extname(file).toLowerCase();
  try {
    if (ext === '.json') return JSON.parse(text) as unknown;
    if (ext === '.yaml' || ext === '.yml') return parseYaml(text) as unknown;
  } catch (error) {
    throw new RecipeError(file, [`not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`]);
  }
  throw new RecipeError(file, [`unknown recipe format "${ext}": use .json, .yaml or .yml`]);
}

/**
 * Validates a parsed recipe (after overrides) and resolves its paths; throws a
 * {@link RecipeError} listing every problem with its field path.
 * @example
 * ```ts
 * const { recipe } = validateRecipe({ backbone: { architecture: 'mobilefacenet' }, … }, { file: 'inline.json', dir: process.cwd() });
 * ```
 */
export function validateRecipe(raw: unknown, where: { readonly file: string; readonly dir: string }, options: LoadRecipeOptions = {}): LoadedRecipe {
  const cwd = options.cwd ?? process.cwd();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new RecipeError(where.file, ['a recipe is an object of fields (backbone, data, optimizer, …)']);
  let input = raw as Record<string, unknown>;
  try {
    const overrides: Override[] = (options.set ?? []).map(parseOverride).map((o) => {
      // A path given on the command line is relative to where the command runs, not to the recipe.
      if (!isInputPath(o.path) || isAbsolute(o.text) || o.text.startsWith('${')) return o;
      return { ...o, text: resolve(cwd, o.text) };
    });
    input = applyOverrides(recipeSchema, input, overrides);
  } catch (error) {
    throw new RecipeError(where.file, [(error as Error).message]);
  }
  const parsed = recipeSchema.safeParse(input);
  if (!parsed.success) throw new RecipeError(where.file, describeIssues(recipeSchema, input, parsed.error.issues));
  const named = { ...parsed.data, name: parsed.data.name ?? basename(where.file, extname(where.file)) };
  try {
    const recipe = resolveRecipePaths(named, where.dir, cwd, options.env ?? process.env);
    return { recipe: recipe as LoadedRecipe['recipe'], file: where.file, dir: where.dir };
  } catch (error) {
    throw new RecipeError(where.file, [(error as Error).message]);
  }
}

/**
 * Reads, overrides, validates and resolves a recipe file — before any backend, data or model work.
 * @example
 * ```ts
 * const { recipe } = loadRecipe('examples/recipes/arcface-cpu.json', { set: ['steps=20'] });
 * recipe.optimizer.lr; // 0.1
 * ```
 */
export function loadRecipe(file: string, options: LoadRecipeOptions = {}): LoadedRecipe {
  const path = resolve(options.cwd ?? process.cwd(), file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RecipeError(path, [`cannot read the recipe: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`]);
  }
  return validateRecipe(parseRecipeText(text, path), { file: path, dir: dirname(path) }, options);
}
