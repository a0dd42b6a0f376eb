/**
 * A run in its own process (`--jobs` > 1): `node --conditions=@fr/source --import tsx
 * job-process.ts <dir>/job.json`. Each run gets its own tfjs engine and wasm heap; the result is `<dir>/result.json`.
 */
import { readFileSync } from 'node:fs';
import type { Job } from './plan.js';
import { runJob } from './run-job.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: job-process.ts <job.json>');
  process.exit(2);
}
const job = JSON.parse(readFileSync(file, 'utf8')) as Job;
runJob(job).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : String(error));
    process.exit(1);
  },
);
