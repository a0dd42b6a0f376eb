/**
 * The frame every @fr CLI shares: `--version`, `--help` for the program and for each command,
 * commands by name (with a did-you-mean), flags parsed and checked before the command does
 * anything, and the exit codes (0 done, 1 failed, 2 bad usage).
 */
import { closestName } from '../util/closest-name.js';
import type { ProgressStream } from '../util/progress.js';
import { parseFlags, UsageError, type FlagSpec, type ParsedFlags } from './flags.js';

/** The streams a CLI writes to (the process's, or buffers in tests). */
export interface CliIo {
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream;
}

/** One command: its help text, the flags it accepts, and what it does. */
export interface CliCommand {
  /** The full help text (usage line, what it does, every flag), printed by `--help`. */
  readonly usage: string;
  /** Every flag the command accepts (`--help` and `--version` are the program's). */
  readonly flags: readonly FlagSpec[];
  /** Does the work with checked arguments; returns the exit code (default 0). */
  run(args: ParsedFlags, io: CliIo): Promise<number | void> | number | void;
}

/** A CLI: one command (`fr-train`), or several by name (`fr-data rec|bin|inspect`). */
export interface CliProgram {
  readonly name: string;
  readonly version: string;
  /** For several commands: the text printed above their usages by `<name> --help`. */
  readonly summary?: string;
  readonly commands: CliCommand | Readonly<Record<string, CliCommand>>;
  /** The exit code for an error a command threw (default 1; a {@link UsageError} is always 2). */
  readonly exitCodeFor?: (error: unknown) => number | undefined;
}

/** The flags every program answers before its commands see the arguments, for help texts. */
export const PROGRAM_FLAGS: readonly FlagSpec[] = [
  { name: 'version', alias: '-v', help: 'print the version and exit' },
  { name: 'help', alias: '-h', help: 'print this help and exit' },
];

const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr });

const isCommand = (c: CliProgram['commands']): c is CliCommand => typeof (c as CliCommand).run === 'function';

/** The arguments before `--` (after it everything is positional). */
const options = (argv: readonly string[]): readonly string[] => (argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv);

/**
 * Runs `program` with `argv` (without `node` and the script) and returns the exit code.
 * @example
 * ```ts
 * process.exitCode = await runProgram({
 *   name: 'fr-hello', version: '1.0.0',
 *   commands: { usage: 'usage: fr-hello [--name <who>]', flags: [{ name: 'name', value: '<who>', help: 'who to greet' }],
 *     run: (args, io) => { io.stdout.write(`hello ${args.flags.get('name') ?? 'world'}\n`); } },
 * }, process.argv.slice(2));
 * ```
 */
export async function runProgram(program: CliProgram, argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const out = (text: string): void => void io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  let prefix = program.name;
  let helpHint = `${program.name} --help`;
  try {
    const given = options(argv);
    if (given.includes('--version') || given.includes('-v')) {
      out(`${program.name} ${program.version}`);
      return 0;
    }
    let command: CliCommand;
    let rest: readonly string[];
    if (isCommand(program.commands)) {
      command = program.commands;
      rest = argv;
    } else {
      const commands = program.commands;
      const overview = `${program.summary ? `${program.summary}\n\n` : ''}usage: ${program.name} <${Object.keys(commands).join('|')}> [options]\n\n${Object.values(commands).map((c) => c.usage).join('\n\n')}\n\nRun '${program.name} <command> --help' for one command's help; '${program.name} --version' prints the version.`;
      const [name, ...after] = argv;
      if (name === undefined) {
        io.stderr.write(`${overview}\n`);
        return 2;
      }
      if (name === '--help' || name === '-h' || name === 'help') {
        const about = after[0] !== undefined ? commands[after[0]] : undefined;
        out(about ? about.usage : overview);
        return 0;
      }
      const found = commands[name];
      if (!found) {
        const close = closestName(name, Object.keys(commands));
        throw new UsageError(`unknown command ${JSON.stringify(name)}${close ? ` (did you mean ${close}?)` : ''}; the commands are ${Object.keys(commands).join(', ')}`);
      }
      command = found;
      rest = after;
      prefix = `${program.name} ${name}`;
      helpHint = `${prefix} --help`;
    }
    if (options(rest).includes('--help') || options(rest).includes('-h')) {
      out(command.usage);
      return 0;
    }
    const parsed = parseFlags(rest, command.flags);
    return (await command.run(parsed, io)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${prefix}: ${error.message}\nRun '${helpHint}' for the options.\n`);
      return 2;
    }
    io.stderr.write(`${prefix}: ${error instanceof Error ? error.message : String(error)}\n`);
    return program.exitCodeFor?.(error) ?? 1;
  }
}
