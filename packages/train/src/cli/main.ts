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
import { flagHelp, PROGRAM_FLAGS, runProgram, stringFlag, UsageError, type CliCommand, type CliIo, type FlagSpec } from '@fr/core/cli';

const FLAGS: readonly FlagSpec[] = [
  { name: 'set', value: '<field.path=value>', repeat: true, help: 'override a recipe field, typed by the schema (repeatable): --set optimizer.lr=0.05 --set steps=100' },
  { name: 'resume', value: '<latest|checkpoint>', help: 'continue from the newest checkpoint of the run (or a fresh start if none), or from a file' },
  { name: 'dry-run', help: 'validate, print the resolved recipe, the FC memory plan and FLOPs per step; no training' },
  { name: 'print-recipe', help: 'print the resolved recipe (defaults filled in, paths absolute) as JSON and exit' },
  { name: 'backend', value: '<auto|tensorflow|webgpu|wasm|cpu>', help: "override the recipe's backend (and FR_BACKEND)" },
  { name: 'list-plugins', help: 'list the installed packages that declare plugins (frPlugins) and exit' },
];

export const USAGE = `usage: fr-train <recipe.json|recipe.yaml> [options]

Trains, evaluates and reports the face-recognition model a recipe describes: backbone, plugins
(by package and export name), data, optimiser and schedule, checkpoints, evaluation sets, output.
Writes <output.dir>/train.jsonl, tensorboard/events.out.tfevents.*, checkpoints/, model/,
report.html and report/<set>.html. Ctrl-C saves a checkpoint and stops; --resume latest continues.

options:
${flagHelp([...FLAGS, ...PROGRAM_FLAGS])}

examples:
  fr-train examples/recipes/arcface-cpu.json
  fr-train examples/recipes/arcface-cpu.json --set steps=50 --set optimizer.lr=0.05
  fr-train examples/recipes/arcface.json --dry-run
  fr-train my-recipe.yaml --resume latest`;

export type { CliIo } from '@fr/core/cli';

const command: CliCommand = {
  usage: USAGE,
  flags: FLAGS,
  async run(args, io) {
    const { positional, flags } = args;
    const out = (line: string): void => void io.stdout.write(`${line}\n`);
    if (flags.has('list-plugins')) {
      const lines = describeInstalled(installedPlugins([process.cwd()]));
      out(lines.length > 0 ? lines.join('\n') : 'no installed package declares "frPlugins" (see the @fr/train README)');
      return 0;
    }
    if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'no recipe given' : `one recipe at a time, got ${positional.length}: ${positional.join(' ')}`);
    const resume = stringFlag(args, 'resume');
    const backend = stringFlag(args, 'backend');
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
  },
};

/**
 * Runs `fr-train` with `argv` (without `node` and the script) and returns the exit code: 0 done,
 * 1 failed, 2 bad arguments or recipe, 130 interrupted (a checkpoint was saved).
 * @example
 * ```ts
 * process.exitCode = await main(['examples/recipes/arcface-cpu.json', '--dry-run']);
 * ```
 */
export function main(argv: readonly string[], io?: CliIo): Promise<number> {
  return runProgram({ name: 'fr-train', version: manifest.version, commands: command, exitCodeFor: (error) => (error instanceof RecipeError ? 2 : undefined) }, argv, io);
}
