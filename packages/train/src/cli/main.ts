/**
 * `fr-train <recipe.json|.yaml>`: the command. Arguments, then the recipe, are checked before any
 * backend is probed or anything is logged.
 */
import manifest from '../../package.json' with { type: 'json' };
import { describeInstalled, installedPlugins } from '../plugins/installed.js';
import { RecipeError } from '../recipe/errors.js';
import { loadRecipe } from '../recipe/load.js';
import { dryRun, formatDryRun } from '../run/dry-run.js';
import { trainRecipe } from '../run/train-recipe.js';
import { flagHelp, parseFlags, UsageError, type FlagSpec } from './args.js';

const FLAGS: readonly FlagSpec[] = [
  { name: 'set', value: '<field.path=value>', repeat: true, help: 'override a recipe field, typed by the schema (repeatable): --set optimizer.lr=0.05 --set steps=100' },
  { name: 'resume', value: '<latest|checkpoint>', help: 'continue from the newest checkpoint of the run (or a fresh start if none), or from a file' },
  { name: 'dry-run', help: 'validate, print the resolved recipe, the FC memory plan and FLOPs per step; no training' },
  { name: 'print-recipe', help: 'print the resolved recipe (defaults filled in, paths absolute) as JSON and exit' },
  { name: 'backend', value: '<auto|tensorflow|webgpu|wasm|cpu>', help: "override the recipe's backend (and FR_BACKEND)" },
  { name: 'list-plugins', help: 'list the installed packages that declare plugins (frPlugins) and exit' },
  { name: 'version', alias: '-v', help: 'print the version and exit' },
  { name: 'help', alias: '-h', help: 'print this help and exit' },
];

export const USAGE = `usage: fr-train <recipe.json|recipe.yaml> [options]

Trains, evaluates and reports the face-recognition model a recipe describes: backbone, plugins
(by package and export name), data, optimiser and schedule, checkpoints, evaluation sets, output.
Writes <output.dir>/train.jsonl, tensorboard/events.out.tfevents.*, checkpoints/, model/,
report.html and report/<set>.html. Ctrl-C saves a checkpoint and stops; --resume latest continues.

options:
${flagHelp(FLAGS)}

examples:
  fr-train examples/recipes/arcface-cpu.json
  fr-train examples/recipes/arcface-cpu.json --set steps=50 --set optimizer.lr=0.05
  fr-train examples/recipes/arcface.json --dry-run
  fr-train my-recipe.yaml --resume latest`;

/** Where the command writes (process streams, or buffers in tests). */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Runs `fr-train` with `argv` (without `node` and the script) and returns the exit code: 0 done,
 * 1 failed, 2 bad arguments or recipe, 130 interrupted (a checkpoint was saved).
 * @example
 * ```ts
 * process.exitCode = await main(['examples/recipes/arcface-cpu.json', '--dry-run']);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const out = (line: string): void => io.stdout(`${line}\n`);
  try {
    const { positional, flags } = parseFlags(argv, FLAGS);
    if (flags.has('help')) {
      out(USAGE);
      return 0;
    }
    if (flags.has('version')) {
      out(`fr-train ${manifest.version}`);
      return 0;
    }
    if (flags.has('list-plugins')) {
      const lines = describeInstalled(installedPlugins([process.cwd()]));
      out(lines.length > 0 ? lines.join('\n') : 'no installed package declares "frPlugins" (see the @fr/train README)');
      return 0;
    }
    if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'no recipe given' : `one recipe at a time, got ${positional.length}: ${positional.join(' ')}`);
    const resume = flags.get('resume') as string | undefined;
    const backend = flags.get('backend') as string | undefined;
    if (backend !== undefined && !['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'].includes(backend)) {
      throw new UsageError(`--backend must be auto, tensorflow, webgpu, wasm or cpu, got ${JSON.stringify(backend)}`);
    }
    const modes = ['dry-run', 'print-recipe'].filter((m) => flags.has(m));
    if (modes.length > 1 || (modes.length > 0 && resume !== undefined)) throw new UsageError(`--${[...modes, ...(resume !== undefined ? ['resume'] : [])].join(' and --')} cannot be combined`);

    const loaded = loadRecipe(positional[0] as string, { set: (flags.get('set') as readonly string[] | undefined) ?? [] });
    if (flags.has('print-recipe')) {
      out(JSON.stringify(loaded.recipe, null, 2));
      return 0;
    }
    if (flags.has('dry-run')) {
      const plan = await dryRun(loaded, { backend, log: null });
      out(JSON.stringify(loaded.recipe, null, 2));
      out('');
      for (const line of formatDryRun(plan)) out(line);
      out(`dry run: ${loaded.file} is valid`);
      return 0;
    }
    const result = await trainRecipe(loaded, { resume, backend, log: out });
    return result.reason === 'interrupted' ? 130 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`fr-train: ${error.message}\nRun fr-train --help for the options.\n`);
      return 2;
    }
    io.stderr(`fr-train: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof RecipeError ? 2 : 1;
  }
}
