/**
 * PyTorch → @fr → PyTorch: the fixtures (torch.save / safetensors from PyTorch) are imported,
 * exported again by our writers, and loaded back into the PyTorch twin with
 * `load_state_dict(strict=True)` (`.pth` through `torch.load(weights_only=True)`); the twin's
 * embeddings must equal @fr's. Needs Debian's python3-torch; skips, saying so, without it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '@fr/core';
import { backboneFromStateDict, backboneToStateDict, readPth, readSafetensors, writePth, writeSafetensors } from '@fr/interop';
import { embeddingOf, fixture, inputNHWC, maxNormalizedDiff, reference } from './support/fixtures.js';
import { HAVE_TORCH, runPython, warnNoTorch } from './support/python.js';

const CHECK = fileURLToPath(new URL('../scripts/check_torch_load.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fr-interop-torch-'));
warnNoTorch('torch-load.test');

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MODELS = ['iresnet', 'mobilefacenet', 'transface'] as const;
const ROUTES = [['pth', 'safetensors'], ['safetensors', 'pth']] as const;

interface TorchResult {
  readonly file: string;
  readonly keys: number;
  readonly embedding: number[];
}

describe.skipIf(!HAVE_TORCH)('what @fr writes loads into PyTorch with strict=True and gives the same embeddings', () => {
  const ours = new Map<string, { embedding: Float32Array; rows: number; keys: number }>();
  const torch = new Map<string, TorchResult>();

  beforeAll(() => {
    const pairs: string[] = [];
    for (const name of MODELS) {
      for (const [from, to] of ROUTES) {
        const source = `${name}.${from}`;
        const tensors = from === 'pth' ? readPth(fixture(source), source) : readSafetensors(fixture(source), source).tensors;
        const backbone = backboneFromStateDict(tensors, { options: name === 'transface' ? { heads: 2 } : {} });
        const exported = backboneToStateDict(backbone);
        const file = join(dir, `${name}-from-${from}.${to}`);
        writeFileSync(file, to === 'pth' ? writePth(exported) : writeSafetensors(exported, { format: 'pt' }));
        const x = inputNHWC(reference.models[name]);
        ours.set(file, { embedding: embeddingOf(backbone, x), rows: x.shape[0], keys: exported.size });
        x.dispose();
        backbone.module.dispose();
        pairs.push(name, file);
      }
    }
    // One Python process for all of them (importing torch takes seconds).
    for (const line of runPython([CHECK, ...pairs]).trim().split('\n')) {
      const result = JSON.parse(line) as TorchResult;
      torch.set(result.file, result);
    }
  });

  for (const name of MODELS) {
    for (const [from, to] of ROUTES) {
      test(`${name}: torch .${from} → @fr → .${to} → torch`, () => {
        const file = join(dir, `${name}-from-${from}.${to}`);
        const mine = ours.get(file)!;
        const theirs = torch.get(file)!;
        expect(theirs.keys).toBe(mine.keys);
        const diff = maxNormalizedDiff(theirs.embedding, mine.embedding, mine.rows);
        console.info(`[torch-load] ${name}.${from} → @fr → ${to} → torch strict load: max |Δ| ${diff.toExponential(2)}`);
        expect(diff).toBeLessThanOrEqual(1e-4);
      });
    }
  }
});
