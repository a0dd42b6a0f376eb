/**
 * The point of importing: fine-tune a model trained elsewhere with any @fr composition, then ship
 * it. A PyTorch-made IResNet (the .pth fixture) is imported, trained 20 steps with Partial FC +
 * BoundaryFace on synthetic identities, exported to ONNX and .pth, and the exported models'
 * embeddings must equal the trained @fr model's (onnxruntime-node; PyTorch strict load when
 * python3-torch is installed).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTrainer, selectBackend, syntheticIdentities, tf } from '@fr/core';
import { partialFC } from '@fr/loss-arcface';
import { boundaryFace } from '@fr/loss-boundary';
import { backboneToStateDict, createOnnxEmbedder, exportOnnx, importBackbone, writePth } from '@fr/interop';
import { decode, embeddingOf, fixture, inputNHWC, maxNormalizedDiff, reference } from './support/fixtures.js';
import { HAVE_TORCH, runPython, warnNoTorch } from './support/python.js';

const dir = mkdtempSync(join(tmpdir(), 'fr-fine-tune-'));
warnNoTorch('fine-tune.test');
beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('import a torch model, train 20 steps (Partial FC + BoundaryFace), export: ONNX and .pth give the trained embeddings', async () => {
  const model = reference.models.iresnet;
  const backbone = importBackbone(fixture('iresnet.pth'), { source: 'iresnet.pth' });
  const x = inputNHWC(model);
  const before = embeddingOf(backbone, x);
  expect(maxNormalizedDiff(before, decode(model.embedding), 2)).toBeLessThanOrEqual(1e-4);

  const numClasses = 8;
  const trainer = createTrainer({
    backbone,
    centers: partialFC({ numClasses, embeddingSize: backbone.embeddingSize, sampleRate: 0.5, seed: 3 }),
    margin: boundaryFace({ s: 16, m: 0.3, epochStart: 0 }),
    dataset: syntheticIdentities({ numClasses, imagesPerClass: 4, inputSize: model.options.inputSize as number, seed: 5 }),
    config: { batchSize: 8, steps: 20, seed: 7, optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4 }, log: { progress: false } },
  });
  const losses: number[] = [];
  trainer.on('step', (e) => losses.push(e.loss));
  const result = await trainer.fit();
  expect(result).toMatchObject({ reason: 'completed', step: 20 });
  expect(losses).toHaveLength(20);
  expect(losses.every(Number.isFinite)).toBe(true);

  const trained = embeddingOf(backbone, x);
  // Training moved the network (weights and BN statistics).
  expect(maxNormalizedDiff(trained, before, 2)).toBeGreaterThan(1e-3);

  const onnx = await createOnnxEmbedder(exportOnnx(backbone), { inputSize: model.options.inputSize as number, threads: 1 });
  const fromOnnx = await onnx.embed(decode(model.input), 2);
  await onnx.release();
  const onnxDiff = maxNormalizedDiff(fromOnnx, trained, 2);
  console.info(`[fine-tune] losses ${losses[0]!.toFixed(3)} → ${losses[19]!.toFixed(3)}; exported ONNX vs trained @fr max |Δ| ${onnxDiff.toExponential(2)}`);
  expect(onnxDiff).toBeLessThanOrEqual(1e-4);

  if (HAVE_TORCH) {
    const file = join(dir, 'fine-tuned.pth');
    writeFileSync(file, writePth(backboneToStateDict(backbone)));
    const check = fileURLToPath(new URL('../scripts/check_torch_load.py', import.meta.url));
    const torchOut = JSON.parse(runPython([check, 'iresnet', file])) as { embedding: number[] };
    const torchDiff = maxNormalizedDiff(torchOut.embedding, trained, 2);
    console.info(`[fine-tune] exported .pth in PyTorch (strict load) vs trained @fr max |Δ| ${torchDiff.toExponential(2)}`);
    expect(torchDiff).toBeLessThanOrEqual(1e-4);
  }
  tf.dispose(x);
  trainer.dispose();
  backbone.module.dispose();
});
