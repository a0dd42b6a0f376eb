#!/usr/bin/env node
/** The `fr-fc-plan` executable. */
import { runFcPlanCli } from './planner/cli.js';

process.exitCode = runFcPlanCli(process.argv.slice(2));
