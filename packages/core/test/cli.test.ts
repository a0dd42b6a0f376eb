/** `@fr/core/cli`: the flags and program frame every @fr command-line tool is built on. */
import { describe, expect, test } from 'vitest';
import { flagHelp, numberFlag, parseFlags, requiredFlag, runProgram, stringFlag, UsageError, type CliCommand, type FlagSpec } from '../src/cli/index.js';
import { captureCli } from '../src/testing/index.js';

const SPECS: readonly FlagSpec[] = [
  { name: 'model', value: '<dir>', help: 'the model' },
  { name: 'batch', value: '<n>', help: 'batch size' },
  { name: 'set', value: '<k=v>', repeat: true, help: 'override' },
  { name: 'profile', value: '<rows>', optionalValue: true, help: 'profile' },
  { name: 'no-flip', help: 'no flip' },
  { name: 'quiet', alias: '-q', help: 'quiet' },
];

const usageError = (argv: string[]): string => {
  try {
    parseFlags(argv, SPECS);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
};

describe('parseFlags', () => {
  test('values as --name v or --name=v, switches, aliases, repeats, optional values; positionals anywhere, and everything after --', () => {
    const parsed = parseFlags(['a.json', '--model', 'm', '--batch=64', '--set', 'x=1', '--set=y=2', '--no-flip', '-q', '--profile', '-1', '--', '--model'], SPECS);
    expect(parsed.positional).toEqual(['a.json', '-1', '--model']);
    expect(Object.fromEntries(parsed.flags)).toEqual({ model: 'm', batch: '64', set: ['x=1', 'y=2'], 'no-flip': true, quiet: true, profile: true });
    expect(parseFlags(['--profile', '20'], SPECS).flags.get('profile')).toBe('20');
    expect(parseFlags(['--profile'], SPECS).flags.get('profile')).toBe(true);
  });

  test('mistakes are usage errors naming the flag: unknown (with the closest declared one), missing or forgotten value, value on a switch, given twice', () => {
    expect(usageError(['--modle', 'x'])).toBe('unknown option --modle (did you mean --model?)');
    expect(usageError(['--frobnicate'])).toBe('unknown option --frobnicate');
    expect(usageError(['--model'])).toBe('--model needs a value: --model <dir>');
    expect(usageError(['--model', '--batch', '2'])).toBe('--model needs a value: --model <dir>');
    expect(usageError(['--no-flip=yes'])).toBe('--no-flip takes no value');
    expect(usageError(['--batch', '1', '--batch', '2'])).toBe('--batch given twice');
  });

  test('typed readers name the flag and the accepted range', () => {
    const parsed = parseFlags(['--batch', '0', '--model', 'm'], SPECS);
    expect(stringFlag(parsed, 'model')).toBe('m');
    expect(stringFlag(parsed, 'set')).toBeUndefined();
    expect(requiredFlag(parsed, 'model')).toBe('m');
    expect(() => requiredFlag(parseFlags([], SPECS), 'model', '<dir>')).toThrow(new UsageError('missing --model <dir>'));
    expect(() => numberFlag(parsed, 'batch', { integer: true, min: 1 })).toThrow(new UsageError('--batch must be an integer in [1, ∞], got "0"'));
    expect(numberFlag(parseFlags(['--batch', '1_000'], SPECS), 'batch', { integer: true, min: 1 })).toBe(1000);
    expect(() => numberFlag(parseFlags(['--batch', 'many'], SPECS), 'batch')).toThrow(new UsageError('--batch must be a number, got "many"'));
    expect(numberFlag(parsed, 'profile')).toBeUndefined();
  });

  test('help lists every flag, aligned', () => {
    expect(flagHelp(SPECS.slice(3)).split('\n')).toEqual([
      '  --profile [<rows>]  profile',
      '  --no-flip           no flip',
      '  -q, --quiet         quiet',
    ]);
  });
});

describe('runProgram', () => {
  const calls: string[][] = [];
  const hello: CliCommand = {
    usage: 'usage: fr-hello greet [--name <who>]',
    flags: [{ name: 'name', value: '<who>', help: 'who' }],
    run: (args, io) => {
      calls.push([...args.positional]);
      const name = stringFlag(args, 'name') ?? 'world';
      if (name === 'nobody') throw new Error('nobody to greet');
      io.stdout.write(`hello ${name}\n`);
    },
  };
  const program = { name: 'fr-hello', version: '1.2.3', summary: 'fr-hello — greetings', commands: { greet: hello, wave: { ...hello, usage: 'usage: fr-hello wave' } } };
  const cli = (...argv: string[]) => captureCli((io) => runProgram(program, argv, io));

  test('--version and -v, before anything else', async () => {
    expect(await cli('--version')).toEqual({ code: 0, stdout: 'fr-hello 1.2.3\n', stderr: '' });
    expect(await cli('greet', '-v', '--bogus')).toEqual({ code: 0, stdout: 'fr-hello 1.2.3\n', stderr: '' });
  });

  test('--help: the overview, or one command\'s usage (`<command> --help` and `help <command>`)', async () => {
    const overview = await cli('--help');
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/^fr-hello — greetings\n\nusage: fr-hello <greet\|wave> \[options\]\n\nusage: fr-hello greet/);
    expect(await cli('greet', '--help')).toEqual({ code: 0, stdout: 'usage: fr-hello greet [--name <who>]\n', stderr: '' });
    expect(await cli('help', 'wave')).toEqual({ code: 0, stdout: 'usage: fr-hello wave\n', stderr: '' });
    expect((await cli()).code).toBe(2); // no command: the overview on stderr
  });

  test('a command runs with its parsed flags; usage mistakes exit 2 with a pointer to --help, failures exit 1 with the message', async () => {
    expect(await cli('greet', 'x', '--name', 'you')).toEqual({ code: 0, stdout: 'hello you\n', stderr: '' });
    expect(calls.at(-1)).toEqual(['x']);
    expect(await cli('great')).toEqual({ code: 2, stdout: '', stderr: "fr-hello: unknown command \"great\" (did you mean greet?); the commands are greet, wave\nRun 'fr-hello --help' for the options.\n" });
    expect(await cli('greet', '--nmae', 'x')).toEqual({ code: 2, stdout: '', stderr: "fr-hello greet: unknown option --nmae (did you mean --name?)\nRun 'fr-hello greet --help' for the options.\n" });
    expect(await cli('greet', '--name', 'nobody')).toEqual({ code: 1, stdout: '', stderr: 'fr-hello greet: nobody to greet\n' });
    const custom = await captureCli((io) => runProgram({ ...program, exitCodeFor: () => 3 }, ['greet', '--name', 'nobody'], io));
    expect(custom.code).toBe(3);
  });

  test('a single-command program takes its flags directly', async () => {
    const single = (...argv: string[]) => captureCli((io) => runProgram({ name: 'fr-hi', version: '0.0.1', commands: hello }, argv, io));
    expect(await single('--name', 'me')).toEqual({ code: 0, stdout: 'hello me\n', stderr: '' });
    expect(await single('--help')).toEqual({ code: 0, stdout: 'usage: fr-hello greet [--name <who>]\n', stderr: '' });
    expect((await single('--nam', 'x')).stderr).toBe("fr-hi: unknown option --nam (did you mean --name?)\nRun 'fr-hi --help' for the options.\n");
  });
});
