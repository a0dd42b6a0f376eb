#!/usr/bin/env node
/**
 * fr-bench: evaluation reports and benchmarks for @fr.
 *   fr-bench report …   evaluate a saved backbone on a pairs set (JSON + HTML + plots)
 *   fr-bench bench …    run the benchmarks (see `fr-bench bench --help`)
 */
import { parseArgs } from './cli/args.js';
import { reportCommand, reportUsage } from './cli/report-command.js';
import { benchCommand, benchUsage } from './cli/bench-command.js';

const commands: Record<string, { usage: string; run: (args: ReturnType<typeof parseArgs>, out: (line: string) => void) => Promise<void> }> = {
  report: { usage: reportUsage, run: reportCommand },
  bench: { usage: benchUsage, run: benchCommand },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command || rest.includes('--help')) {
    const text = command ? command.usage : `usage: fr-bench <${Object.keys(commands).join('|')}> [options]\n\n${Object.values(commands).map((c) => c.usage).join('\n\n')}`;
    process.stdout.write(`${text}\n`);
    return command || name === undefined || name === '--help' ? 0 : 2;
  }
  try {
    await command.run(parseArgs(rest), (line) => process.stdout.write(`${line}\n`));
    return 0;
  } catch (error) {
    process.stderr.write(`fr-bench ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
