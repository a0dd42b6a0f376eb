/**
 * `@fr/core/cli`: what every @fr command-line tool shares — declared flags with did-you-mean
 * errors, typed flag readers, and the program frame (`--version`, per-command `--help`, exit
 * codes). Progress displays are `createProgress` in the main entry (training uses them too).
 * @packageDocumentation
 */
export { parseFlags, flagHelp, stringFlag, requiredFlag, numberFlag, UsageError, type FlagSpec, type ParsedFlags, type NumberFlagRule } from './flags.js';
export { runProgram, PROGRAM_FLAGS, type CliProgram, type CliCommand, type CliIo } from './program.js';
