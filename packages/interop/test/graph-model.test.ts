/**
 * @fr → tfjs GraphModel → @tensorflow/tfjs-converter, with no @fr package loaded where the model
 * runs: this file imports only tfjs and Node. The fr-import / fr-export CLIs (run from their
 * sources as separate processes) turn the PyTorch fixtures into @fr models and those into
 * GraphModel folders; `loadGraphModel` then runs them here, on tfjs' own cpu backend, and the
 * embeddings must match the torch twins' within 1e-4 after L2-normalisation.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { decode, maxNormalizedDiff, reference, type ReferenceModel } from './support/fixtures-data.js';

const FIXTURES = fileURLToPath(new URL('fixtures/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fr-graph-model-'));
const MODELS = ['iresnet', 'mobilefacenet', 'transface'] as const;
const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** A CLI from its TypeScript sources (the @fr/source export condition, tsx), in its own process. */
function run(cli: 'fr-import' | 'fr-export', args: string[]): string {
  return execFileSync(process.execPath, ['--conditions=@fr/source', '--import', 'tsx', `${SRC}${cli}.ts`, ...args], { encoding: 'utf8' });
}

/** A tfjs IOHandler over a model.json folder, with Node's fs only. */
function folder(path: string): tf.io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(readFileSync(join(path, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const group = json.weightsManifest[0]!;
      const bytes = readFileSync(join(path, group.paths[0]!));
      return {
        modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy, signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata, weightSpecs: group.weights,
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      };
    },
  };
}

function nhwc(model: ReferenceModel): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.tensor4d(decode(model.input), model.input.shape as [number, number, number, number]), [0, 2, 3, 1]));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  for (const name of MODELS) {
    const options = name === 'transface' ? ['--options', '{"heads": 2}'] : [];
    run('fr-import', [join(FIXTURES, `${name}.safetensors`), '--out', join(dir, name), ...options]);
    run('fr-export', ['--model', join(dir, name), '--graph-model', join(dir, `${name}-web`)]);
  }
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('GraphModels written by fr-export run in tfjs-converter with the torch embeddings', () => {
  for (const name of MODELS) {
    test(name, async () => {
      const model = reference.models[name];
      const graphModel = await loadGraphModel(folder(join(dir, `${name}-web`)));
      expect(graphModel.inputs.map((i) => [i.name, i.shape])).toEqual([['input', [-1, model.options.inputSize, model.options.inputSize, 3]]]);
      expect(graphModel.outputs.map((o) => o.name)).toEqual(['embedding']);
      const meta = (graphModel.metadata as { fr: Record<string, string> }).fr;
      expect(meta).toMatchObject({ input_layout: 'NHWC', color_order: 'rgb', mean: '127.5,127.5,127.5', embedding_size: String(model.options.embeddingSize) });
      const x = nhwc(model);
      const y = graphModel.predict(x) as tf.Tensor;
      const diff = maxNormalizedDiff(await y.data(), decode(model.embedding), x.shape[0]);
      console.info(`[graph-model] ${name}: tfjs-converter (cpu) vs torch max |Δ| ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(1e-4);
      // Any batch size: one image alone.
      const one = graphModel.predict(tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1])) as tf.Tensor;
      expect(maxNormalizedDiff(await one.data(), (await y.data()).subarray(0, model.options.embeddingSize as number), 1)).toBeLessThanOrEqual(1e-5);
      tf.dispose([x, y, one]);
      graphModel.dispose();
    });
  }
});
