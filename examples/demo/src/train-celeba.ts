/**
 * A longer CelebA run with flags, e.g.
 *   node examples/demo/dist/train-celeba.js --steps 3000 --input 112 --width 1 --embedding 512 --out runs/celeba
 * and, after an interruption, the same line with `--resume latest`.
 */
import { parseArgs } from 'node:util';
import { run } from './run.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '64' },
    input: { type: 'string', default: '48' },
    width: { type: 'string', default: '0.5' },
    embedding: { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.1' },
    s: { type: 'string', default: '32' },
    m: { type: 'string', default: '0.3' },
    seed: { type: 'string', default: '2048' },
    backend: { type: 'string' },
    out: { type: 'string', default: 'runs/celeba' },
    resume: { type: 'string' },
  },
});
await run({
  steps: Number(values.steps),
  batchSize: Number(values.batch),
  inputSize: Number(values.input),
  widthMultiplier: Number(values.width),
  embeddingSize: Number(values.embedding),
  lr: Number(values.lr),
  s: Number(values.s),
  m: Number(values.m),
  seed: Number(values.seed),
  backend: values.backend,
  outDir: values.out,
  resume: values.resume,
});
