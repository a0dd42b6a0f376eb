/**
 * `fr-bench report --engine onnxruntime`: an @fr model exported to ONNX and evaluated in
 * onnxruntime-node gives the embeddings and the verification result the tfjs backbone gives, on
 * a small .bin written here (synthetic JPEG faces: not face data, only the plumbing is checked).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Rng, selectBackend } from '@fr/core';
import { createBackbone, saveBackbone } from '@fr/backbones';
import { fileSystem } from '@fr/backbones/node';
import { encodeJpeg, VerificationSet, writeVerificationBin } from '@fr/data';
import { exportOnnx } from '@fr/interop';
import { captureCli } from '@fr/core/testing';
import { runBenchCli } from '../src/cli/run.js';
import { embedVerificationSet } from '../src/evaluate/embed-set.js';
import { onnxEngine, toNCHW } from '../src/evaluate/embedding-engine.js';

const cli = (...argv: string[]) => captureCli((io) => runBenchCli(argv, io));

const dir = mkdtempSync(join(tmpdir(), 'fr-onnx-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SIZE = 32;
const PAIRS = 20;

beforeAll(async () => {
  await selectBackend('wasm', { log: null });
  const rng = Rng.fromSeed(4);
  // 10 "identities" (a colour gradient each), pairs alternate same / different.
  const image = (id: number, jitter: number): Uint8Array => {
    const data = new Uint8Array(SIZE * SIZE * 3);
    for (let i = 0; i < SIZE * SIZE; i++) {
      for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.max(0, Math.min(255, (id * 37 + c * 70 + (i % SIZE) * (id + 1) + Math.floor(i / SIZE) * (c + 1) * 3) % 256 + jitter * rng.normal(0, 1)));
    }
    return encodeJpeg({ width: SIZE, height: SIZE, data });
  };
  const images: Uint8Array[] = [];
  const issame: boolean[] = [];
  for (let p = 0; p < PAIRS; p++) {
    const a = p % 10;
    const same = p % 2 === 0;
    images.push(image(a, 6), image(same ? a : (a + 3) % 10, 6));
    issame.push(same);
  }
  writeVerificationBin(join(dir, 'tiny.bin'), { images, issame });
  const backbone = createBackbone('mobilefacenet', { inputSize: SIZE, embeddingSize: 32, widthMultiplier: 0.25 }, { rng: Rng.fromSeed(1) });
  await saveBackbone(backbone, fileSystem(join(dir, 'model')));
  writeFileSync(join(dir, 'model.onnx'), exportOnnx(backbone));
  backbone.module.dispose();
});

describe('ONNX in onnxruntime-node as an evaluation engine', () => {
  test('toNCHW moves channels first and mirrors along W', () => {
    const x = Float32Array.from({ length: 12 }, (_, i) => i); // NHWC [1, 2, 3, 2]
    const out = toNCHW(x, [1, 2, 3, 2], false);
    expect(Array.from(out)).toEqual([0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11]);
    expect(Array.from(toNCHW(x, [1, 2, 3, 2], true))).toEqual([4, 2, 0, 10, 8, 6, 5, 3, 1, 11, 9, 7]);
  });

  test('same embeddings (orig and flipped) as the tfjs backbone', async () => {
    const set = VerificationSet.fromBin(join(dir, 'tiny.bin'));
    const { loadBackbone } = await import('@fr/backbones');
    const backbone = await loadBackbone(fileSystem(join(dir, 'model')));
    const ours = await embedVerificationSet(backbone, set, { batchSize: 16 });
    const engine = await onnxEngine(join(dir, 'model.onnx'), { threads: 1 });
    expect(engine.preprocessingFrom).toBe('metadata');
    const theirs = await embedVerificationSet(engine, set, { batchSize: 16 });
    await engine.dispose();
    let worst = 0;
    for (const [a, b] of [[ours.embeddings, theirs.embeddings], [ours.flipped!, theirs.flipped!]] as const) {
      for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs((a.data[i] as number) - (b.data[i] as number)) / (1 + Math.abs(a.data[i] as number)));
    }
    expect(worst).toBeLessThan(1e-4);
    backbone.module.dispose();
  });

  test('fr-bench report --engine onnxruntime reports what the tfjs engine reports', async () => {
    const common = ['--bin', join(dir, 'tiny.bin'), '--batch', '20', '--no-png'];
    const tfjsRun = await cli('report', '--model', join(dir, 'model'), ...common, '--out', join(dir, 'tfjs'), '--backend', 'wasm');
    const ortRun = await cli('report', '--model', join(dir, 'model.onnx'), '--engine', 'onnxruntime', '--threads', '1', ...common, '--out', join(dir, 'ort'));
    expect([tfjsRun.code, ortRun.code], tfjsRun.stderr + ortRun.stderr).toEqual([0, 0]);
    expect(ortRun.stderr).toMatch(/^onnxruntime-node: mobilefacenet, input 32×32 rgb minus1to1 \(metadata\)$/m);
    expect(ortRun.stdout).toMatch(/^tiny: accuracy .* over 20 pairs \(mobilefacenet, onnxruntime-node\)$/m);
    const read = (d: string) => JSON.parse(readFileSync(join(dir, d, 'tiny.json'), 'utf8')) as { accuracy: { mean: number; folds: number[] }; metadata: Record<string, unknown> };
    const [tfjs, ort] = [read('tfjs'), read('ort')];
    expect(ort.accuracy).toEqual(tfjs.accuracy);
    expect(ort.metadata.backend).toBe('onnxruntime-node');
    expect(await cli('report', '--model', join(dir, 'model.onnx'), ...common, '--backend', 'wasm')).toMatchObject({ code: 2, stderr: expect.stringMatching(/model\.onnx is an ONNX model: pass --engine onnxruntime/) });
    expect(await cli('report', '--model', join(dir, 'model.onnx'), '--engine', 'tensorrt', ...common)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--engine must be tfjs or onnxruntime, got "tensorrt"/) });
  });
});
