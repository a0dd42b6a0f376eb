#!/usr/bin/env node
// The `fr-bench` command: src/cli.ts through tsx in a source checkout, dist/cli.js when installed
// (a committed file, so that `npm ci` links it on a fresh clone: see @fr/core/cli-launcher).
import { launchCli } from '@fr/core/cli-launcher';

await launchCli(new URL('../', import.meta.url));
