#!/usr/bin/env node
/** The `fr-fc-plan` executable. */
import { runFcPlanCli } from './planner/cli.js';

void runFcPlanCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
