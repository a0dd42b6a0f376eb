#!/usr/bin/env node
/**
 * fr-bench: evaluation reports and benchmarks for @fr.
 *   fr-bench report …   evaluate a saved backbone on a pairs set (JSON + HTML + plots)
 *   fr-bench bench …    run the benchmarks (see `fr-bench bench --help`)
 */
import { runBenchCli } from './cli/run.js';

void runBenchCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
