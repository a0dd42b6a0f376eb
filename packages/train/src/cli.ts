#!/usr/bin/env node
/** The `fr-train` executable (see `cli/main.ts`). */
import { main } from './cli/main.js';

process.exitCode = await main(process.argv.slice(2));
